package main

import "testing"

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"make -j4 ünïcödé 日本": "make -j4 ünïcödé 日本",
		"a\tb\x00c\x7f":       `a\tb\x00c\x7f`,
		`C:\dir`:              `C:\\dir`,
		"\xc3\x28 \xe2\x82":   `\xc3( \xe2\x82`,
		"\u0085\u00a0\u200b":  `\u0085\u00a0\u200b`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
