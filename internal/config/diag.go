package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// detailWidth is where a Detail paragraph wraps.
const detailWidth = 78

// ANSI styles for a terminal.
const (
	styleReset  = "\x1b[0m"
	styleBold   = "\x1b[1m"
	styleRed    = "\x1b[1;31m"
	styleYellow = "\x1b[1;33m"
)

// WriteDiagnostics prints diags the way Terraform does: severity and
// summary, the file and line, the source line with the subject underlined,
// then the detail. sources holds file contents by name (Nest.Sources);
// color adds ANSI styles.
func WriteDiagnostics(w io.Writer, sources map[string][]byte, diags hcl.Diagnostics,
	color bool) error {
	bw := bufio.NewWriter(w)
	for _, d := range diags {
		writeDiagnostic(bw, sources, d, color)
	}
	return bw.Flush()
}

func writeDiagnostic(w *bufio.Writer, sources map[string][]byte, d *hcl.Diagnostic,
	color bool) {
	style := func(s, text string) string {
		if !color {
			return text
		}
		return s + text + styleReset
	}
	sev, sevStyle := "Error", styleRed
	if d.Severity == hcl.DiagWarning {
		sev, sevStyle = "Warning", styleYellow
	}
	fmt.Fprintf(w, "%s %s\n\n", style(sevStyle, sev+":"), style(styleBold, d.Summary))
	if d.Subject != nil {
		writeSnippet(w, sources[d.Subject.Filename], *d.Subject, func(s string) string {
			return style(sevStyle, s)
		})
	}
	if d.Detail != "" {
		fmt.Fprintf(w, "%s\n\n", wrap(d.Detail, detailWidth))
	}
}

// writeSnippet prints "on FILE line N:", the line, and a ^^^ line under the
// part of it that rng covers.
func writeSnippet(w *bufio.Writer, src []byte, rng hcl.Range, mark func(string) string) {
	fmt.Fprintf(w, "  on %s line %d:\n", rng.Filename, rng.Start.Line)
	if rng.Start.Byte < 0 || rng.Start.Byte > len(src) {
		w.WriteString("\n")
		return
	}
	line := lineOf(src, rng.Start.Byte)
	text := strings.ReplaceAll(string(src[line.start:line.end]), "\t", " ")
	prefix := fmt.Sprintf("%4d: ", rng.Start.Line)
	fmt.Fprintf(w, "%s%s\n", prefix, text)

	end := max(min(rng.End.Byte, line.end), rng.Start.Byte)
	col := utf8.RuneCount(src[line.start:rng.Start.Byte])
	width := max(1, utf8.RuneCount(src[rng.Start.Byte:end]))
	fmt.Fprintf(w, "%s%s\n\n", strings.Repeat(" ", len(prefix)+col),
		mark(strings.Repeat("^", width)))
}

// wrap breaks each paragraph of s into lines of at most width columns, at
// spaces; a word longer than width stays whole.
func wrap(s string, width int) string {
	var out strings.Builder
	for i, para := range strings.Split(s, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		n := 0
		for j, word := range strings.Fields(para) {
			wl := utf8.RuneCountInString(word)
			if j > 0 && n+1+wl > width {
				out.WriteByte('\n')
				n = 0
			} else if j > 0 {
				out.WriteByte(' ')
				n++
			}
			out.WriteString(word)
			n += wl
		}
	}
	return out.String()
}
