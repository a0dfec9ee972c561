package proc

import (
	"crypto/rand"
	"errors"
	"testing"
)

// sessionKey is the cookie runp looks for.
const sessionKey = "RUNP_SESSION"

func TestFindByEnv(t *testing.T) {
	cookie := rand.Text()
	want := startHelper(t, []string{sessionKey + "=" + cookie}, "echo")
	startHelper(t, []string{sessionKey + "=" + cookie + "x"}, "echo")  // prefix-equal value
	startHelper(t, []string{sessionKey + "X=" + cookie}, "echo")       // prefix-equal key
	startHelper(t, []string{"X" + sessionKey + "=" + cookie}, "echo")  // suffix-equal key
	startHelper(t, []string{"Y=" + sessionKey + "=" + cookie}, "echo") // entry as a value
	wantID, err := Read(want.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := FindByEnv(sessionKey, cookie)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Same(wantID) {
		t.Errorf("FindByEnv = %+v, want [%+v]", got, wantID)
	}

	got, err = FindByEnv(sessionKey, rand.Text())
	if err != nil || len(got) != 0 {
		t.Errorf("FindByEnv(unused cookie) = %+v, %v", got, err)
	}
	for _, key := range []string{"", "A=B", "A\x00"} {
		if _, err := FindByEnv(key, "v"); !errors.Is(err, errBadKey) {
			t.Errorf("FindByEnv(%q): %v", key, err)
		}
	}
}
