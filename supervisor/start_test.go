package supervisor

import (
	"slices"
	"testing"

	"runp/reaper"
)

func TestWithCookie(t *testing.T) {
	key := reaper.SessionKey + "="
	env := []string{"A=1", key + "outer", "B=2", key + "older"}
	got := withCookie(env, "inner")
	want := []string{"A=1", "B=2", key + "inner"}
	if !slices.Equal(got, want) {
		t.Fatalf("withCookie = %q, want %q", got, want)
	}
	if env[1] != key+"outer" {
		t.Fatalf("withCookie changed its input: %q", env)
	}
	if got := withCookie(nil, "x"); !slices.Equal(got, []string{key + "x"}) {
		t.Fatalf("withCookie(nil) = %q", got)
	}
}
