package registry

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"runp/internal/testenv"
)

// newStore opens a store in a fresh temp dir.
func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(testenv.TempDir(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

var baseTime = time.Date(2025, 3, 4, 5, 6, 7, 890123456, time.UTC)

// contentFor is the k-th version of writer i's session: argv names (i, k),
// and the process list grows and shrinks with k so that successive files
// have different sizes.
func contentFor(id string, pid, i, k int) *Session {
	s := &Session{
		Version: FormatVersion,
		ID:      id,
		PID:     pid,
		Start:   uint64(1000 + i),
		BootID:  "0f6c2f6e-boot",
		Argv:    []string{"writer", strconv.Itoa(i), strconv.Itoa(k)},
		Cwd:     "/tmp/w" + strconv.Itoa(i),
		Started: baseTime.Add(time.Duration(i) * time.Second),
	}
	for j := 0; j < (k*7)%13+1; j++ {
		s.Processes = append(s.Processes, Process{
			PID:       100000*(i+1) + j,
			PPID:      pid,
			Start:     uint64(k*1000 + j),
			Command:   fmt.Sprintf("cmd %d %d %s", i, k, strings.Repeat("x", j*k)),
			Role:      RoleDescendant,
			FirstSeen: baseTime.Add(time.Duration(k) * time.Millisecond),
		})
	}
	return s
}

// verify checks that a session read back is exactly one of contentFor's
// versions, and returns which one. pid 0 accepts the session's own PID.
func verify(s *Session, pid int) (i, k int, err error) {
	if len(s.Argv) != 3 || s.Argv[0] != "writer" {
		return 0, 0, fmt.Errorf("session %s: unexpected argv %q", s.ID, s.Argv)
	}
	i, err1 := strconv.Atoi(s.Argv[1])
	k, err2 := strconv.Atoi(s.Argv[2])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("session %s: unexpected argv %q", s.ID, s.Argv)
	}
	if pid == 0 {
		pid = s.PID
	}
	if want := contentFor(s.ID, pid, i, k); !sameSession(s, want) {
		return 0, 0, fmt.Errorf("session %s: crossed or torn record:\n got %+v\nwant %+v", s.ID, *s, *want)
	}
	return i, k, nil
}

// checkContent is verify for the test goroutine.
func checkContent(t testing.TB, s *Session, pid int) (i, k int) {
	t.Helper()
	i, k, err := verify(s, pid)
	if err != nil {
		t.Fatal(err)
	}
	return i, k
}

// listVerified lists s from any goroutine and checks every entry with
// verify; check gets each entry with its writer index.
func listVerified(t testing.TB, s *Store, pid int, check func(e Entry, i int)) {
	es, errs, err := s.List()
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		t.Errorf("List: %v", err)
		return
	}
	for _, e := range es {
		i, _, err := verify(&e.Session, pid)
		if err != nil {
			t.Error(err)
			continue
		}
		check(e, i)
	}
}

// normalize makes two sessions that describe the same thing deeply equal:
// times in UTC, empty lists nil.
func normalize(s *Session) Session {
	c := *s
	c.Started = c.Started.UTC()
	if len(c.Argv) == 0 {
		c.Argv = nil
	}
	c.Processes = nil
	for _, p := range s.Processes {
		p.FirstSeen = p.FirstSeen.UTC()
		c.Processes = append(c.Processes, p)
	}
	return c
}

func sameSession(a, b *Session) bool {
	return reflect.DeepEqual(normalize(a), normalize(b))
}

// dirNames lists a directory, sorted.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// mustList lists s and fails on any error.
func mustList(t testing.TB, s *Store) []Entry {
	t.Helper()
	es, errs, err := s.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, e := range errs {
		t.Errorf("List reported: %v", e)
	}
	return es
}

// deadline returns when a test must stop waiting: well before the test
// binary's own timeout, and never more than limit from now.
func deadline(t testing.TB, limit time.Duration) time.Time {
	d := time.Now().Add(limit)
	if tt, ok := t.(*testing.T); ok {
		if td, ok := tt.Deadline(); ok && td.Add(-5*time.Second).Before(d) {
			d = td.Add(-5 * time.Second)
		}
	}
	return d
}
