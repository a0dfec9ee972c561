package registry

import (
	"errors"
	"testing"
)

// FuzzParse: parse never panics and reports every failure as errInvalid or
// errVersion; whatever it accepts survives marshal and parse unchanged.
func FuzzParse(f *testing.F) {
	// Seeds stay small and deterministic: the fuzzer minimizes every new
	// interesting input, byte by byte, and a kilobyte-sized seed can spend
	// the whole -fuzztime there (golang/go#48820).
	for i, k := range []int{0, 2, 13} {
		data, err := marshal(contentFor("20250304T050607Z-0123456789abcdef", 4242, i, k))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, doc := range []string{
		"",
		"version = 1\nid = 'a'\npid = 1\n",
		"version = 1\nid = 'a'\npid = 1\nargv = []\nprocess = []\n",
		"version = 99\nid = 'a'\npid = 1\n",
		"version = 1\nid = 'a'\npid = 4294967295\n",
		"version = 1\nid = 'a'\npid = 1\nstart = 9223372036854775807\n",
		"version = 1\nid = 'a'\npid = 1\nstarted = 1979-05-27T07:32:00\n",
		"version = 1\nid = 'a'\npid = 1\nstarted = 1979-05-27\n",
		"version = 1\nid = 'a'\npid = 1\nstarted = 07:32:00.999999999\n",
		"version = 1\nid = 'a'\npid = 1\nstarted = 9999-12-31T23:59:59-23:59\n",
		"version = 1\nid = 'a'\npid = 1\nstarted = 0000-01-01T00:00:00+23:59\n",
		"version = 1\nid = 'a'\npid = 1\nargv = ['\\u0000', \"\"\"multi\nline\"\"\", '''raw\\''']\n",
		"version = 1\nid = 'a'\npid = 1\n[[process]]\npid = 2\nrole = 'child'\nfirst_seen = 2020-01-01T00:00:00.123456789Z\n[[process]]\npid = 3\n",
		"version = 1\nid = 'a'\npid = 1\nprocess = [{pid = 2}, {pid = 3, command = 'x'}]\n",
		"version = 1\nid = 'a'\npid = 1\n[process]\npid = 2\n",
		"version = 1\nid = 'a'\npid = 1\n[[process]]\npid = 0\n",
		"version = 1\n[id]\n",
		"\x00\xff[[",
		"version = 1\nid = '\xff'\npid = 1\n",
	} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parse(data)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned a session and an error: %v", err)
			}
			if !errors.Is(err, errInvalid) && !errors.Is(err, errVersion) {
				t.Fatalf("Parse error wraps neither errInvalid nor errVersion: %v", err)
			}
			return
		}
		out, err := marshal(s)
		if err != nil {
			t.Fatalf("Marshal of a parsed session: %v\nsession %+v", err, *s)
		}
		again, err := parse(out)
		if err != nil {
			t.Fatalf("Parse of Marshal output: %v\n%s", err, out)
		}
		if !sameSession(s, again) {
			t.Fatalf("round trip changed the session:\nfirst  %+v\nsecond %+v\n%s", *s, *again, out)
		}
	})
}
