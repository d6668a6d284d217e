package config

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Load reads every .fly file below dir, then decodes and checks the nest.
// The Nest is never nil: it holds whatever could be decoded, and the
// diagnostics hold every problem of every file, sorted by file and position.
// A nest without .fly files is an error; so is every .fly file that cannot
// be read (see Files and ReadFile).
func Load(dir string) (*Nest, hcl.Diagnostics) {
	files, diags, err := Files(dir)
	if err != nil {
		n := newNest(dir)
		return n, hcl.Diagnostics{{Severity: hcl.DiagError,
			Summary: "Cannot read the nest", Detail: capitalize(err.Error()) + "."}}
	}
	if len(files) == 0 && diags.HasErrors() {
		return newNest(dir), diags // "no .fly files" would be wrong
	}
	srcs := make([][]byte, len(files))
	for i, name := range files {
		srcs[i], err = ReadFile(dir, name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
				Summary: "Cannot read file", Detail: capitalize(err.Error()) + "."})
		}
	}
	n, more := Decode(dir, files, srcs)
	return n, append(diags, more...)
}

// Decode decodes and checks a nest from file contents: names[i] holds
// srcs[i]. Names are used as they are in every range and message.
func Decode(dir string, names []string, srcs [][]byte) (*Nest, hcl.Diagnostics) {
	n := newNest(dir)
	var diags hcl.Diagnostics
	if len(names) == 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
			Summary: "No .fly files",
			Detail: fmt.Sprintf("No file below %s ends in .fly, so there is no nest "+
				"to check. Give the directory that holds the nest.", dir)})
	}
	for i, name := range names {
		n.Files = append(n.Files, name)
		diags = append(diags, n.addFile(name, srcs[i])...)
	}
	diags = append(diags, n.check()...)
	sortDiagnostics(n.Files, diags)
	return n, diags
}

func newNest(dir string) *Nest {
	return &Nest{Dir: dir, Sources: map[string][]byte{}}
}

// addFile parses and decodes one file into n.
func (n *Nest) addFile(name string, src []byte) hcl.Diagnostics {
	src = trimBOM(src)
	hits := findTokens(src)
	src = maskTokens(src, hits)
	n.Sources[name] = src

	d := &decoder{}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		d.diags = explainSyntax(src, diags)
	} else {
		d.topLevel(n, f.Body.(*hclsyntax.Body))
	}
	for _, h := range hits {
		egg, server := d.scopeAt(h.start)
		d.diags = append(d.diags, tokenDiagnostic(name, src, h, egg, server))
	}
	return d.diags
}

// trimBOM drops a UTF-8 byte order mark, which some editors on Windows
// write at the start of a file.
func trimBOM(src []byte) []byte { return bytes.TrimPrefix(src, []byte("\ufeff")) }

// scopeAt returns the egg or bucket name and server around a byte offset:
// the innermost scope that holds it.
func (d *decoder) scopeAt(off int) (name, server string) {
	best := -1
	for i, s := range d.scopes {
		if s.rng.Start.Byte <= off && off < s.rng.End.Byte &&
			(best < 0 || s.rng.Start.Byte >= d.scopes[best].rng.Start.Byte) {
			best = i
		}
	}
	if best < 0 {
		return "", ""
	}
	s := d.scopes[best]
	if NameProblem(s.name) != "" {
		s.name = ""
	}
	return s.name, s.server
}

// explainSyntax rewrites the syntax errors that the concept document's
// one-line blocks cause into advice that fits the .fly language.
func explainSyntax(src []byte, diags hcl.Diagnostics) hcl.Diagnostics {
	for i, diag := range diags {
		if diag.Subject == nil || (diag.Summary != "Invalid single-argument block definition" &&
			diag.Summary != "Argument definition required") {
			continue
		}
		line := lineOf(src, diag.Subject.Start.Byte)
		rewritten := *diag
		rewritten.Summary = "More than one argument on a line"
		rewritten.Detail = "Put each argument and each nested block on its own line; " +
			"only a block with a single argument fits on one line."
		if comma := bytes.IndexByte(src[line.start:line.end], ','); comma >= 0 {
			off := line.start + comma
			rewritten.Summary = "Comma between arguments"
			rewritten.Detail = "Arguments are separated by new lines, not commas: " +
				"put each argument of the block on its own line."
			rng := rangeAt(diag.Subject.Filename, src, off, off+1)
			rewritten.Subject = &rng
		}
		diags[i] = &rewritten
	}
	return diags
}

type span struct{ start, end int }

// lineOf returns the byte span of the line that holds off, without its
// line ending.
func lineOf(src []byte, off int) span {
	off = min(off, len(src))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		end = off + i
	}
	if end > start && src[end-1] == '\r' {
		end--
	}
	return span{start, end}
}

// sortDiagnostics orders diags by file, in the order of files, then by
// position; problems without a place come first.
func sortDiagnostics(files []string, diags hcl.Diagnostics) {
	index := func(d *hcl.Diagnostic) (int, int) {
		if d.Subject == nil {
			return -1, 0
		}
		return slices.Index(files, d.Subject.Filename), d.Subject.Start.Byte
	}
	slices.SortStableFunc(diags, func(a, b *hcl.Diagnostic) int {
		af, ab := index(a)
		bf, bb := index(b)
		return cmp.Or(cmp.Compare(af, bf), cmp.Compare(ab, bb))
	})
}
