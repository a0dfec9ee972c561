package registry

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLifecycle(t *testing.T) {
	s := newStore(t)
	id := NewID()
	sess := contentFor(id, os.Getpid(), 1, 0)
	sess.Version = 0
	h, err := s.Create(sess)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	if sess.Version != FormatVersion || h.ID() != id {
		t.Fatalf("Create: version %d, handle id %q", sess.Version, h.ID())
	}
	for _, p := range []string{s.lockPath(id), s.tomlPath(id)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows has ACLs, not modes
			t.Errorf("%s: mode %v, want 0600", p, fi.Mode())
		}
	}

	es := mustList(t, s)
	if len(es) != 1 || !es[0].Live || !sameSession(&es[0].Session, sess) {
		t.Fatalf("List after Create = %+v", es)
	}
	sess = contentFor(id, os.Getpid(), 1, 5)
	if err := h.Write(sess); err != nil {
		t.Fatalf("Write: %v", err)
	}
	es = mustList(t, s)
	if len(es) != 1 || !es[0].Live || !sameSession(&es[0].Session, sess) {
		t.Fatalf("List after Write = %+v", es)
	}
	if _, _, ok, err := s.Claim(id); ok || err != nil {
		t.Fatalf("Claim of a live session: ok=%v err=%v", ok, err)
	}

	// Close is what a crash looks like: files stay, the lock is free.
	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	es = mustList(t, s)
	if len(es) != 1 || es[0].Live || !sameSession(&es[0].Session, sess) {
		t.Fatalf("List after Close = %+v", es)
	}
	c, got, ok, err := s.Claim(id)
	if !ok || err != nil {
		t.Fatalf("Claim of a dead session: ok=%v err=%v", ok, err)
	}
	if !sameSession(got, sess) || c.ID() != id {
		t.Fatalf("Claim returned %+v", *got)
	}
	// While claimed, the session looks live and cannot be claimed twice.
	if es := mustList(t, s); len(es) != 1 || !es[0].Live {
		t.Fatalf("List while claimed = %+v", es)
	}
	if _, _, ok, err := s.Claim(id); ok || err != nil {
		t.Fatalf("second Claim: ok=%v err=%v", ok, err)
	}
	if err := c.Remove(); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if es := mustList(t, s); len(es) != 0 {
		t.Fatalf("List after Remove = %+v", es)
	}
	if names := dirNames(t, s.sessions); len(names) != 0 {
		t.Fatalf("sessions/ after Remove: %q", names)
	}
	// Claim never creates a lock file: no lock, no session.
	if _, _, ok, err := s.Claim(id); ok || err != nil {
		t.Fatalf("Claim after Remove: ok=%v err=%v", ok, err)
	}
	if names := dirNames(t, s.sessions); len(names) != 0 {
		t.Fatalf("Claim created files: %q", names)
	}
}

func TestHandleMisuse(t *testing.T) {
	s := newStore(t)
	id := NewID()
	h, err := s.Create(contentFor(id, 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(contentFor(id, 1, 1, 0)); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Create of one id: %v, want ErrExist", err)
	}
	if err := h.Write(contentFor("other", 1, 1, 0)); !errors.Is(err, errInvalid) {
		t.Errorf("Write of another id: %v", err)
	}
	bad := contentFor(id, 1, 1, 0)
	bad.Processes[0].PID = 0
	if err := h.Write(bad); !errors.Is(err, errInvalid) {
		t.Errorf("Write of pid 0: %v", err)
	}
	if err := h.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := h.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("Close after Remove: %v", err)
	}
	if err := h.Write(contentFor(id, 1, 1, 1)); !errors.Is(err, errClosed) {
		t.Errorf("Write after Remove: %v", err)
	}
	if names := dirNames(t, s.sessions); len(names) != 0 {
		t.Fatalf("Write after Remove left %q", names)
	}

	h, err = s.Create(contentFor("closed", 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := h.Remove(); !errors.Is(err, errClosed) {
		t.Errorf("Remove after Close: %v", err)
	}
	if _, err := os.Stat(s.tomlPath("closed")); err != nil {
		t.Errorf("Remove after Close deleted the record: %v", err)
	}

	if _, err := s.Create(&Session{ID: "nopid"}); !errors.Is(err, errInvalid) {
		t.Errorf("Create without pid: %v", err)
	}
	if _, err := s.Create(&Session{ID: "../escape", PID: 1}); !errors.Is(err, errInvalid) {
		t.Errorf("Create with a path in the id: %v", err)
	}
	if _, _, _, err := s.Claim("../escape"); !errors.Is(err, errInvalid) {
		t.Errorf("Claim with a path in the id: %v", err)
	}
	if names := dirNames(t, s.sessions); !slices.Equal(names, []string{"closed.lock", "closed.toml"}) {
		t.Errorf("sessions/ = %q", names)
	}
}

// TestClaimOrphanLock: the owner died between deleting its record and its
// lock. Claim reports the session gone and deletes the lock.
func TestClaimOrphanLock(t *testing.T) {
	s := newStore(t)
	h, err := s.Create(contentFor("orphan", 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(s.tomlPath("orphan")); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.Claim("orphan"); ok || err != nil {
		t.Fatalf("Claim of a held orphan lock: ok=%v err=%v", ok, err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.Claim("orphan"); ok || err != nil {
		t.Fatalf("Claim of a free orphan lock: ok=%v err=%v", ok, err)
	}
	if names := dirNames(t, s.sessions); len(names) != 0 {
		t.Fatalf("sessions/ = %q", names)
	}
}

func TestQuarantine(t *testing.T) {
	s := newStore(t)
	live, err := s.Create(contentFor("live", 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = live.Close() })
	dead, err := s.Create(contentFor("dead", 2, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Close(); err != nil {
		t.Fatal(err)
	}
	// A newer runp, alive: its record is not ours to judge.
	newer, err := s.Create(contentFor("newer-live", 3, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = newer.Close() })
	write := func(name, doc string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(s.sessions, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("newer-live.toml", "version = 99\nid = 'newer-live'\npid = 3\n")
	write("garbage.toml", "\x00\x01 this is not [toml")
	write("v99.toml", "version = 99\nid = 'v99'\npid = 1\n")
	write("v99-dead.toml", "version = 99\nid = 'v99-dead'\npid = 1\n")
	write("v99-dead.lock", "")
	write("mismatch.toml", "version = 1\nid = 'someone-else'\npid = 1\n")
	write("no-lock.toml", "version = 1\nid = 'no-lock'\npid = 1\n")
	write("bad name.toml", "version = 1\nid = 'bad name'\npid = 1\n")
	write(".hidden.toml", "garbage, but ignored like a temp file")

	es, errs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, e.Session.ID)
	}
	if !slices.Equal(ids, []string{"live", "dead"}) { // sorted by Started
		t.Errorf("List returned %q, want live, dead", ids)
	}
	var moved []string
	for _, e := range errs {
		var q *QuarantineError
		if !errors.As(e, &q) {
			t.Errorf("List error is not a *QuarantineError: %v", e)
			continue
		}
		if strings.Contains(e.Error(), "\n") || !strings.Contains(e.Error(), q.Path) {
			t.Errorf("error message %q", e)
		}
		moved = append(moved, filepath.Base(q.Path))
		if _, err := os.Stat(q.Dest); err != nil || filepath.Dir(q.Dest) != s.quarantine {
			t.Errorf("quarantined file: %v", err)
		}
	}
	slices.Sort(moved)
	want := []string{"bad name.toml", "garbage.toml", "mismatch.toml", "no-lock.toml", "v99-dead.toml", "v99.toml"}
	if !slices.Equal(moved, want) {
		t.Errorf("quarantined %q, want %q", moved, want)
	}
	for _, e := range errs {
		var q *QuarantineError
		if errors.As(e, &q) && filepath.Base(q.Path) == "v99.toml" && !errors.Is(e, errVersion) {
			t.Errorf("v99: %v does not wrap errVersion", e)
		}
		if errors.As(e, &q) && filepath.Base(q.Path) == "no-lock.toml" && !errors.Is(e, errNoLock) {
			t.Errorf("no-lock: %v does not wrap errNoLock", e)
		}
	}

	es = mustList(t, s) // reported once: nothing left to report
	if len(es) != 2 {
		t.Errorf("second List: %d entries", len(es))
	}
	if got := len(dirNames(t, s.quarantine)); got != len(want) {
		t.Errorf("quarantine/ has %d files, want %d", got, len(want))
	}
	names := dirNames(t, s.sessions)
	wantNames := []string{".hidden.toml", "dead.lock", "dead.toml", "live.lock", "live.toml", "newer-live.lock", "newer-live.toml"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("sessions/ = %q, want %q", names, wantNames)
	}
}

func TestSweep(t *testing.T) {
	s := newStore(t)
	old := time.Now().Add(-2 * staleAfter)
	age := func(name string) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(s.sessions, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	touch := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(s.sessions, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	touch("orphan-old.lock")
	age("orphan-old.lock")
	touch("orphan-new.lock")
	touch(".x.123.tmp")
	age(".x.123.tmp")
	touch(".y.456.tmp")
	touch("bad name.lock")
	age("bad name.lock")
	// A dead session keeps its lock: the record is still there to recover.
	dead, err := s.Create(contentFor("dead", 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Close(); err != nil {
		t.Fatal(err)
	}
	age("dead.lock")
	// A live owner between Create's two steps (or inside Remove) keeps its lock.
	held, err := s.Create(contentFor("held", 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = held.Close() })
	if err := os.Remove(s.tomlPath("held")); err != nil {
		t.Fatal(err)
	}
	age("held.lock")

	if err := s.Sweep(); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	want := []string{".y.456.tmp", "bad name.lock", "dead.lock", "dead.toml", "held.lock", "orphan-new.lock"}
	if names := dirNames(t, s.sessions); !slices.Equal(names, want) {
		t.Fatalf("after Sweep: %q, want %q", names, want)
	}
}
