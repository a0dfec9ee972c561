//go:build windows

package supervisor

import "testing"

func TestTypist(t *testing.T) {
	var ty typist
	for _, tc := range []struct{ in, want string }{
		{"a\nb\n", "a\rb\r"},
		{"c\r\nd", "c\rd"},
		{"\r", "\r"},
		{"\n", ""}, // the LF of a CRLF split across two reads
		{"\n\n", "\r\r"},
		{"\x03\x1a\x1b[A", "\x03\x1a\x1b[A"},
	} {
		if got := string(ty.keys(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("keys(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
