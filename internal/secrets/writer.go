package secrets

import (
	"io"
	"strings"
	"sync"
)

// maxHold bounds what a Writer keeps back while it waits for the end of a
// token-like run of characters. A longer run is written out masked as far as
// it can be judged; no text hatchery writes has such runs.
const maxHold = 64 << 10

// Writer returns a writer that masks everything written through it before
// passing it on to w, even a secret split across two Write calls. It keeps
// back only what could still turn out to be a secret: at most the longest
// registered value and the trailing token-like run, never a finished line.
// Close writes what is kept back; it does not close w. The writer is safe for
// concurrent use.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &maskWriter{r: r, w: w}
}

type maskWriter struct {
	r   *Redactor
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

func (mw *maskWriter) Write(p []byte) (int, error) {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	mw.buf = append(mw.buf, p...)
	if err := mw.flush(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes out everything kept back.
func (mw *maskWriter) Close() error {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	return mw.flush(true)
}

// flush masks and writes the part of the buffer that is final, or all of it.
func (mw *maskWriter) flush(all bool) error {
	if len(mw.buf) == 0 {
		return nil
	}
	s := string(mw.buf)
	spans := mw.r.find(s)
	cut := len(s)
	if !all {
		cut = mw.r.safeCut(s, spans)
	}
	if cut == 0 {
		return nil
	}
	kept := 0
	for kept < len(spans) && spans[kept].end <= cut {
		kept++
	}
	n := copy(mw.buf, mw.buf[cut:])
	mw.buf = mw.buf[:n]
	_, err := io.WriteString(mw.w, replace(s[:cut], spans[:kept]))
	return err
}

// safeCut returns how much of s, the unwritten part of a stream, is final:
// no secret that more input could complete starts before the cut, and no
// match already found crosses it.
func (r *Redactor) safeCut(s string, spans []span) int {
	r.mu.RLock()
	maxLen, multiline := r.maxLen, r.multiline
	r.mu.RUnlock()

	// A registered value completed by more input starts in the last maxLen-1
	// bytes; a token shape, in the trailing run of token characters.
	run := len(s)
	for run > 0 && isTokenByte(s[run-1]) {
		run--
	}
	cut := max(min(len(s)-maxLen+1, run), 0)
	// Neither crosses a line end, unless a value holds a newline.
	if nl := strings.LastIndexByte(s, '\n'); !multiline && nl >= cut {
		cut = nl + 1
	}
	for _, sp := range spans {
		if sp.start < cut && cut < sp.end {
			cut = sp.start
		}
	}
	if len(s)-cut > maxHold {
		return len(s)
	}
	return cut
}

// isTokenByte reports whether c can occur inside a token shape.
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '='
}
