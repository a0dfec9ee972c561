//go:build linux

package registry

import (
	"os"
	"strings"
	"testing"
)

// TestNoDescriptorLeak: probes and failed claims close what they open.
func TestNoDescriptorLeak(t *testing.T) {
	s := newStore(t)
	live, err := s.Create(contentFor("live", 1, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = live.Remove() })
	dead, err := s.Create(contentFor("dead", 1, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Close(); err != nil {
		t.Fatal(err)
	}
	// Count only descriptors into the store: other tests' goroutines may
	// still be closing pipes of their own.
	count := func() int {
		t.Helper()
		n := 0
		for _, fd := range dirNames(t, "/proc/self/fd") {
			target, err := os.Readlink("/proc/self/fd/" + fd)
			if err == nil && strings.HasPrefix(target, s.Dir()) {
				n++
			}
		}
		return n
	}
	before := count()
	for range 100 {
		if es := mustList(t, s); len(es) != 2 {
			t.Fatalf("List = %+v", es)
		}
		if _, _, ok, err := s.Claim("live"); ok || err != nil {
			t.Fatalf("Claim(live): %v %v", ok, err)
		}
		if _, _, ok, err := s.Claim("gone"); ok || err != nil {
			t.Fatalf("Claim(gone): %v %v", ok, err)
		}
		h, _, ok, err := s.Claim("dead")
		if !ok || err != nil {
			t.Fatalf("Claim(dead): %v %v", ok, err)
		}
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Sweep(); err != nil {
			t.Fatal(err)
		}
	}
	if before != 1 { // the live session's lock
		t.Errorf("%d descriptors into the store, want 1", before)
	}
	if after := count(); after != before {
		t.Fatalf("%d descriptors before, %d after", before, after)
	}
}
