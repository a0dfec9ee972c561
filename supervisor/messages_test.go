package supervisor

import (
	"bytes"
	"testing"
)

// TestScreenSplit: a mode switch is seen wherever the reads split it.
func TestScreenSplit(t *testing.T) {
	out := []byte("a\x1b[?25lb\x1b[?1;1049hfull\x1b[0mscreen\x1b[?1049lnormal\x1b[?47h")
	want := []bool{true, false, true} // after each of the three switches
	for cut := 0; cut <= len(out); cut++ {
		var sc screen
		var got []bool
		for _, part := range [][]byte{out[:cut], out[cut:]} {
			for i := range part {
				if sc.feed(part[i : i+1]) {
					got = append(got, sc.alt)
				}
			}
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("cut at %d: switches %v, want %v", cut, got, want)
		}
	}
}

// TestMessagesRawAndHeld: "\r\n" in raw mode, lines held on the
// alternate screen and written when it is left.
func TestMessagesRawAndHeld(t *testing.T) {
	var buf bytes.Buffer
	m := MessageWriter(&buf).(*messages)
	_, _ = m.Write([]byte("one\n"))
	m.setRaw(true)
	_, _ = m.Write([]byte("two\nthree\r\n"))
	m.setAlt(true)
	_, _ = m.Write([]byte("held\n"))
	if got := buf.String(); got != "one\ntwo\r\nthree\r\n" {
		t.Fatalf("before the screen is back: %q", got)
	}
	m.setAlt(false)
	if got := buf.String(); got != "one\ntwo\r\nthree\r\nheld\r\n" {
		t.Fatalf("after: %q", got)
	}
}
