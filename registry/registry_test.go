package registry

import (
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMarshalParseRoundTrip(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := map[string]*Session{
		"empty processes": {
			Version: FormatVersion, ID: NewID(), PID: 42, Start: 123456,
			BootID: "b0b", Argv: []string{"make", "dev"}, Cwd: "/src", Started: baseTime,
		},
		"unicode and escapes": {
			Version: FormatVersion, ID: "x-1", PID: math.MaxInt32, Start: math.MaxInt64,
			Argv:    []string{"écho", "日本語", "emoji 🚀", "quote \" and ' and \\", "tab\tnl\nnul\x00", ""},
			Cwd:     `C:\Users\Zoë\src`,
			Started: time.Date(2024, 2, 29, 23, 59, 59, 999999999, paris),
		},
		"processes": {
			Version: FormatVersion, ID: "p", PID: 7, Argv: nil, Started: baseTime.In(paris),
			Processes: []Process{
				{PID: 8, PPID: 7, Start: 99, Command: "sh -c 'sleep 1 &'", Role: RoleChild, FirstSeen: baseTime},
				{PID: 9, PPID: 1, Start: 100, Command: "", Role: RoleDescendant, FirstSeen: baseTime.In(paris)},
				{PID: 10, PPID: 0, Start: 130000000000000000, Command: "conhost.exe 0xffffffff", Role: RoleConhost},
				{PID: 11, PPID: 7, Start: 101, Ino: 1<<40 + 3, Role: RoleDescendant, FirstSeen: baseTime},
			},
		},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := marshal(in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			out, err := parse(data)
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, data)
			}
			if !sameSession(in, out) {
				t.Fatalf("round trip changed the session:\n in %+v\nout %+v\n%s", *in, *out, data)
			}
			if len(in.Processes) == 0 && out.Processes != nil {
				t.Errorf("empty process list parsed as %#v, want nil", out.Processes)
			}
		})
	}
}

func TestMarshalIsUTC(t *testing.T) {
	s := &Session{Version: 1, ID: "a", PID: 1, Started: time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 561))}
	data, err := marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "started = 2024-12-31T23:50:39Z") {
		t.Fatalf("started not written in UTC:\n%s", data)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, doc string
		want      error
	}{
		{"garbage", "this is = = not toml", errInvalid},
		{"empty", "", errInvalid},
		{"no version", "id = 'a'\npid = 1\n", errInvalid},
		{"newer version", "version = 99\nid = 'a'\npid = 1\n", errVersion},
		{"no id", "version = 1\npid = 1\n", errInvalid},
		{"path in id", "version = 1\nid = '../x'\npid = 1\n", errInvalid},
		{"slash in id", "version = 1\nid = 'a/b'\npid = 1\n", errInvalid},
		{"no pid", "version = 1\nid = 'a'\n", errInvalid},
		{"negative pid", "version = 1\nid = 'a'\npid = -1\n", errInvalid},
		{"pid beyond pid_t", "version = 1\nid = 'a'\npid = 4294967295\n", errInvalid},
		{"negative start", "version = 1\nid = 'a'\npid = 1\nstart = -5\n", errInvalid},
		{"wrong type", "version = 1\nid = 'a'\npid = 'one'\n", errInvalid},
		{"process pid 0", "version = 1\nid = 'a'\npid = 1\n[[process]]\npid = 0\n", errInvalid},
		{"process pid -1", "version = 1\nid = 'a'\npid = 1\n[[process]]\npid = -1\n", errInvalid},
		{"process huge pid", "version = 1\nid = 'a'\npid = 1\n[[process]]\npid = 4294967295\n", errInvalid},
		{"process bad ppid", "version = 1\nid = 'a'\npid = 1\n[[process]]\npid = 2\nppid = -3\n", errInvalid},
		{"process negative pidfs_ino", "version = 1\nid = 'a'\npid = 1\n[[process]]\npid = 2\npidfs_ino = -3\n", errInvalid},
		{"duplicate key", "version = 1\nversion = 1\nid = 'a'\npid = 1\n", errInvalid},
		{"bad utf-8", "version = 1\nid = 'a'\npid = 1\ncwd = \"\xff\"\n", errInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := parse([]byte(c.doc))
			if !errors.Is(err, c.want) {
				t.Fatalf("Parse = %+v, %v; want error %v", s, err, c.want)
			}
		})
	}
}

func TestParseIgnoresUnknownKeys(t *testing.T) {
	s, err := parse([]byte("version = 1\nid = 'a'\npid = 3\nfuture = true\n[[process]]\npid = 4\ncgroup = '/x'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.PID != 3 || len(s.Processes) != 1 || s.Processes[0].PID != 4 {
		t.Fatalf("Parse = %+v", *s)
	}
}

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{16}$`)
	const goroutines, each = 50, 200
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			ids := make([]string, 0, each)
			for range each {
				ids = append(ids, NewID())
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				if seen[id] {
					t.Errorf("duplicate id %s", id)
				}
				seen[id] = true
				if !re.MatchString(id) || !validID(id) {
					t.Errorf("bad id %q", id)
				}
			}
		})
	}
	wg.Wait()
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("RUNP_STATE_DIR", "/explicit")
	if d, err := DefaultDir(); err != nil || d != "/explicit" {
		t.Fatalf("with RUNP_STATE_DIR: %q, %v", d, err)
	}
	t.Setenv("RUNP_STATE_DIR", "")
	if runtime.GOOS == "windows" {
		t.Setenv("LOCALAPPDATA", `C:\Users\u\AppData\Local`)
		if d, err := DefaultDir(); err != nil || d != `C:\Users\u\AppData\Local\runp` {
			t.Fatalf("windows default: %q, %v", d, err)
		}
		return
	}
	xdg := filepath.Join(t.TempDir(), "state")
	t.Setenv("XDG_STATE_HOME", xdg)
	if d, err := DefaultDir(); err != nil || d != filepath.Join(xdg, "runp") {
		t.Fatalf("with XDG_STATE_HOME: %q, %v", d, err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, x := range []string{"", "relative/state"} {
		t.Setenv("XDG_STATE_HOME", x)
		if d, err := DefaultDir(); err != nil || d != filepath.Join(home, ".local", "state", "runp") {
			t.Fatalf("XDG_STATE_HOME=%q: %q, %v", x, d, err)
		}
	}
}

// TestPidfsInoOptional: a record written before pidfs_ino existed reads back
// with 0 (identity by start time), and 0 is not written, so that such a record
// looks the same to older runps.
func TestPidfsInoOptional(t *testing.T) {
	s, err := parse([]byte("version = 1\nid = 'a'\npid = 3\n[[process]]\npid = 4\nstart = 9\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Processes[0].Ino != 0 {
		t.Errorf("Ino = %d, want 0", s.Processes[0].Ino)
	}
	data, err := marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "pidfs_ino") {
		t.Errorf("a zero pidfs_ino was written:\n%s", data)
	}
	s.Processes[0].Ino = 77
	data, _ = marshal(s)
	if !strings.Contains(string(data), "pidfs_ino = 77") {
		t.Errorf("pidfs_ino not written:\n%s", data)
	}
}
