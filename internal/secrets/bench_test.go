package secrets

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchText is about 64 KiB of plan-like output for 1000 units, each of
// whose three secrets is registered, with one secret leaked in every 50
// lines.
func benchText() (*Redactor, string) {
	r := &Redactor{}
	var b strings.Builder
	for i := range 1000 {
		egg := fmt.Sprintf("egg-%04d", i)
		r.Add("glpat-"+egg+"-abcdefghij", "glrt-"+egg+"-abcdefghij", NewWebhookSecret())
		fmt.Fprintf(&b, "  + runner %-20s tags=[docker linux] locked=true\n", egg)
		if i%50 == 0 {
			fmt.Fprintf(&b, "  ! token glpat-%s-abcdefghij was refused\n", egg)
		}
	}
	return r, b.String()
}

func BenchmarkMask(b *testing.B) {
	r, text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.Mask(text)
	}
}

func BenchmarkWriterLines(b *testing.B) {
	r, text := benchText()
	lines := strings.SplitAfter(text, "\n")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		w := r.Writer(io.Discard)
		for _, l := range lines {
			io.WriteString(w, l)
		}
		w.Close()
	}
}

func BenchmarkFileStoreRead(b *testing.B) {
	path := b.TempDir() + "/s.json"
	s, err := OpenFile(path, false)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 300 {
		u := Unit{"gitlab.com", fmt.Sprintf("egg-%04d", i)}
		s.cache = nil
		if err := s.Write(b.Context(), u, Update{RunnerID: int64(i + 1)}); err != nil {
			b.Fatal(err)
		}
	}
	u := Unit{"gitlab.com", "egg-0150"}
	for b.Loop() {
		if _, err := s.Read(b.Context(), u); err != nil {
			b.Fatal(err)
		}
	}
}
