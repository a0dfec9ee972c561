package proc

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

// TestAncestorsKept: a second call does not walk again while the chain
// stands, and the chain starts at this process's parent.
func TestAncestorsKept(t *testing.T) {
	first := ancestors()
	if len(first) == 0 || first[0] != os.Getppid() {
		t.Fatalf("ancestors %v do not start at the parent %d", first, os.Getppid())
	}
	if ancestry.fds == nil {
		t.Skip("no pidfds here: every call walks")
	}
	if again := ancestors(); &again[0] != &first[0] {
		t.Fatal("the second call walked again though no ancestor exited")
	}
}

// TestAncestorsWalkAgainAfterAnExit: once a held ancestor has exited, the
// next call walks again. An exited process stands in for the ancestor.
func TestAncestorsWalkAgainAfterAnExit(t *testing.T) {
	first := ancestors()
	if ancestry.fds == nil {
		t.Skip("no pidfds here: every call walks")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fd, err := openPidfd(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	ancestry.Lock()
	closeFd(ancestry.fds[len(ancestry.fds)-1])
	ancestry.fds[len(ancestry.fds)-1] = fd
	ancestry.Unlock()
	again := ancestors()
	if &again[0] == &first[0] {
		t.Fatal("an ancestor exited, and the chain was not walked again")
	}
	if !slices.Equal(again, first) {
		t.Fatalf("the chain changed: %v, then %v", first, again)
	}
}
