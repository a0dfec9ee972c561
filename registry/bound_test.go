package registry

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestWriteStaysWithinBound: what a runp writes is always readable by the
// others: commands are clipped, and a tree too large for its commands is
// recorded without them rather than in a file the readers would refuse.
func TestWriteStaysWithinBound(t *testing.T) {
	s := newStore(t)
	sess := contentFor("clip", 1, 1, 1)
	long := strings.Repeat("é", maxCommand) // two bytes a rune: cut inside one
	sess.Processes[0].Command = long
	sess.Argv = []string{long}
	h, err := s.Create(sess)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	es := mustList(t, s)
	if len(es) != 1 {
		t.Fatalf("%d entries", len(es))
	}
	for _, got := range []string{es[0].Session.Processes[0].Command, es[0].Session.Argv[0]} {
		if len(got) > maxCommand || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
			t.Errorf("clipped to %d bytes: %.20q…%q", len(got), got, got[len(got)-8:])
		}
	}

	// 5000 processes with commands of maxCommand: 20 MB with commands.
	big := contentFor("big", 2, 2, 0)
	big.Processes = nil
	for i := range 5000 {
		p := contentFor("big", 2, 2, 0).Processes[0]
		p.PID, p.Command = 10+i, strings.Repeat("x", maxCommand)
		big.Processes = append(big.Processes, p)
	}
	hb, err := s.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hb.Close() })
	fi, err := os.Stat(s.tomlPath("big"))
	if err != nil || fi.Size() > maxFileSize {
		t.Fatalf("the big session's file: %v, %v", fi.Size(), err)
	}
	var got *Session
	for _, e := range mustList(t, s) {
		if e.Session.ID == "big" {
			got = &e.Session
		}
	}
	if got == nil || len(got.Processes) != 5000 || got.Processes[4999].PID != 5009 || got.Processes[0].Command != "" {
		t.Fatalf("the big session did not come back whole without its commands")
	}
}

// TestOversizedFileQuarantined: a file beyond maxFileSize is moved aside
// unread, and says why.
func TestOversizedFileQuarantined(t *testing.T) {
	s := newStore(t)
	path := s.tomlPath("huge")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, maxFileSize+1); err != nil {
		t.Fatal(err)
	}
	_, errs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var q *QuarantineError
	if len(errs) != 1 || !errors.As(errs[0], &q) || !errors.Is(errs[0], errTooLarge) {
		t.Fatalf("List: %v", errs)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("still in sessions/: %v", err)
	}
}

// TestParseCountsValues: a document with more values than maxValues is
// refused before it is decoded; what is inside strings and comments is not
// counted, so commands full of TOML's punctuation cost nothing.
func TestParseCountsValues(t *testing.T) {
	doc := "version = 1\nid = 'x'\npid = 1\nargv = [" + strings.Repeat("'',", maxValues) + "]\n"
	if _, err := parse([]byte(doc)); !errors.Is(err, errTooLarge) || !errors.Is(err, errInvalid) {
		t.Fatalf("Parse of %d values: %v", maxValues, err)
	}
	plain, punct := contentFor("p", 1, 1, 1), contentFor("p", 1, 1, 1)
	for i := range punct.Processes {
		punct.Processes[i].Command = `a,b=c [d] {e} # f 'g' "h" \ i \" j """ k ''' l` + "\n,=[{"
	}
	punct.Argv = []string{`,=[{#'"\`, "'''", `"""`}
	plain.Argv = []string{"a", "b", "c"}
	for _, s := range []*Session{plain, punct} {
		data, err := marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parse(data)
		if err != nil || !sameSession(back, s) {
			t.Fatalf("round trip: %v\n%s", err, data)
		}
	}
	dp, _ := marshal(plain)
	dq, _ := marshal(punct)
	if a, b := countValues(dp), countValues(dq); a != b {
		t.Errorf("punctuation in strings counted: %d values, %d without it", b, a)
	}
}
