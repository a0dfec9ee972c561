package registry

import (
	"os"
	"testing"
)

// BenchmarkWrite measures one registry write: marshal a session with 10
// tracked processes, write the temp file, rename it into place.
func BenchmarkWrite(b *testing.B) {
	s := newStore(b)
	id := NewID()
	sess := contentFor(id, os.Getpid(), 1, 3) // (3*7)%13+1 = 9 processes, plus one
	sess.Processes = append(sess.Processes, Process{PID: 9999, PPID: 1, Start: 77, Command: "sleep 100", Role: RoleChild, FirstSeen: baseTime})
	if len(sess.Processes) != 10 {
		b.Fatalf("%d processes", len(sess.Processes))
	}
	h, err := s.Create(sess)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = h.Remove() })
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Write(sess); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList measures one List of 20 sessions, 10 of them live.
func BenchmarkList(b *testing.B) {
	s := newStore(b)
	for i := range 20 {
		h, err := s.Create(contentFor(NewID(), os.Getpid(), i, 3))
		if err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			b.Cleanup(func() { _ = h.Close() })
		} else if err := h.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if es, errs, err := s.List(); err != nil || len(errs) > 0 || len(es) != 20 {
			b.Fatalf("List: %d entries, %v, %v", len(es), errs, err)
		}
	}
}

// BenchmarkMarshal isolates the encoding part of a write.
func BenchmarkMarshal(b *testing.B) {
	sess := contentFor(NewID(), os.Getpid(), 1, 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := marshal(sess); err != nil {
			b.Fatal(err)
		}
	}
}
