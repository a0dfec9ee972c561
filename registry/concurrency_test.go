package registry

import (
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"runp/internal/testenv"
)

// TestAtomicWrite: a reader never sees a torn file, only one of the two
// versions that are being written in turn.
func TestAtomicWrite(t *testing.T) {
	s := newStore(t)
	id := NewID()
	small := contentFor(id, os.Getpid(), 1, 0)
	big := contentFor(id, os.Getpid(), 1, 1)
	for j := range 80 {
		big.Processes = append(big.Processes, Process{PID: 1000 + j, PPID: 1, Command: strings.Repeat("y", j), Role: RoleDescendant})
	}
	h, err := s.Create(small)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Remove() })

	versions, pause := 2000, time.Duration(0)
	if testenv.Wine() {
		// Each Write is several wineserver round trips (about 12 ms), and
		// wine has no POSIX rename semantics: a rename over the file being
		// read is refused until the read is over, and a reader reading
		// flat out would starve the writer. The reader leaves it room.
		versions, pause = 100, 10*time.Millisecond
	}
	end := deadline(t, 60*time.Second)
	var stop atomic.Bool
	writeErr := make(chan error, 1)
	go func() {
		defer stop.Store(true)
		for n := range versions {
			v := small
			if n%2 == 0 {
				v = big
			}
			if err := h.Write(v); err != nil {
				writeErr <- err
				return
			}
			if time.Now().After(end) {
				writeErr <- errors.New("writer passed the deadline")
				return
			}
		}
		writeErr <- nil
	}()
	reads, bigs := 0, 0
	for !stop.Load() && time.Now().Before(end) {
		data, err := readFile(s.tomlPath(id)) // os.ReadFile, or its FILE_SHARE_DELETE twin on Windows
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		got, err := parse(data)
		if err != nil {
			t.Fatalf("read %d: torn file: %v\n%s", reads, err, data)
		}
		switch {
		case sameSession(got, big):
			bigs++
		case sameSession(got, small):
		default:
			t.Fatalf("read %d: neither version: %+v", reads, *got)
		}
		reads++
		time.Sleep(pause) // pacing under wine only, see above
	}
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d reads, %d of the big version", reads, bigs)
	if names := dirNames(t, s.sessions); len(names) != 2 {
		t.Errorf("temp files left behind: %q", names)
	}
}

// TestConcurrentSessions: 50 owners on one store write 20 versions each
// while a reader lists; nothing is lost, crossed or torn.
func TestConcurrentSessions(t *testing.T) {
	const owners, versions = 50, 20
	s := newStore(t)
	pid := os.Getpid()
	ids := make([]string, owners)
	handles := make([]*Handle, owners)
	var stop atomic.Bool
	var listers sync.WaitGroup
	lists := 0
	listers.Go(func() {
		for !stop.Load() {
			listVerified(t, s, pid, func(e Entry, _ int) {
				if !e.Live {
					t.Errorf("session %s not live while its owner runs", e.Session.ID)
				}
			})
			lists++
		}
	})
	var wg sync.WaitGroup
	for i := range owners {
		wg.Go(func() {
			id := NewID()
			h, err := s.Create(contentFor(id, pid, i, 0))
			if err != nil {
				t.Errorf("Create %d: %v", i, err)
				return
			}
			ids[i], handles[i] = id, h
			for k := 1; k < versions; k++ {
				if err := h.Write(contentFor(id, pid, i, k)); err != nil {
					t.Errorf("Write %d.%d: %v", i, k, err)
					return
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	listers.Wait()
	if t.Failed() {
		return
	}
	es := mustList(t, s)
	if len(es) != owners {
		t.Fatalf("List: %d sessions, want %d", len(es), owners)
	}
	for _, e := range es {
		i, k := checkContent(t, &e.Session, pid)
		if ids[i] != e.Session.ID || k != versions-1 || !e.Live {
			t.Errorf("session %s: writer %d version %d live=%v; want writer of %s, version %d", e.Session.ID, i, k, e.Live, ids[i], versions-1)
		}
	}
	t.Logf("%d concurrent lists", lists)
	for _, h := range handles {
		if err := h.Remove(); err != nil {
			t.Error(err)
		}
	}
	if names := dirNames(t, s.sessions); len(names) != 0 {
		t.Fatalf("after Remove: %q", names)
	}
}
