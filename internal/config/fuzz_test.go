package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes through the whole pipeline: token masking,
// parsing, decoding, the nest rules and the diagnostic printer must never
// panic, and every diagnostic must point inside its file.
func FuzzLoad(f *testing.F) {
	names, _, err := Files("../../examples/nest")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join("../../examples/nest", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("egg \"a\" {\n  gitlab { server = \"gitlab.com\", id = 1 }\n}\n"))
	f.Add([]byte("\ufeffegg \"a\" {\r\n  runner {\r\n" +
		"    tags = [\"glrt-ABCDEFGHIJKLMNOPQRST\"]\r\n  }\r\n}\r\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// The same bytes as two files exercise the rules across files.
		names := []string{"a.fly", "b/c.fly"}
		n, diags := Decode("nest", names, [][]byte{src, src})
		for _, d := range diags {
			if d.Subject == nil {
				continue
			}
			if s := d.Subject; s.Start.Byte < 0 || s.Start.Byte > len(n.Sources[s.Filename]) {
				t.Fatalf("diagnostic %q points outside its file: %v", d.Summary, s)
			}
		}
		var b strings.Builder
		if err := WriteDiagnostics(&b, n.Sources, diags, false); err != nil {
			t.Fatal(err)
		}
		if hits := findTokens([]byte(b.String())); len(hits) > 0 {
			t.Fatalf("a token reached the output:\n%s", b.String())
		}
		out, fdiags := Format("a.fly", src)
		if fdiags.HasErrors() {
			return
		}
		if again, _ := Format("a.fly", out); !bytes.Equal(again, out) {
			t.Fatalf("formatting twice differs:\n%s\n---\n%s", out, again)
		}
	})
}
