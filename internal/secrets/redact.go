package secrets

// Masking rules:
//
//   - Every occurrence of a registered value becomes Masked, and so do its
//     URL-escaped (query and path) and JSON-string escaped forms.
//   - Values shorter than MinMaskLen are not registered: they would mask
//     ordinary words. hatchery refuses to store such values, and the secrets
//     it makes are far longer.
//   - Text shaped like a GitLab, Yandex Cloud or JWT credential is masked even
//     when nobody registered it (see shapes).
//   - Register a value before it is first written: text already written cannot
//     be taken back.

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Masked is the text that replaces a secret. GitLab masks CI/CD variables in
// job logs with the same text, so readers of a pipeline know it.
const Masked = "[MASKED]"

// MinMaskLen is the length of the shortest value that Add registers.
const MinMaskLen = 8

// shapes matches credentials by their form. Prefixes: GitLab's documented
// token prefixes and the legacy runner registration token; Yandex Cloud IAM
// tokens and cookies (t1., c1.), API keys (AQVN), OAuth tokens (y0_ to y3_)
// and static key secrets (YC plus 38); JSON web tokens such as CI id tokens.
var shapes = regexp.MustCompile(
	`(?:glpat|gloas|gldt|glrt|glrtr|glcbt|glptt|glft|glimt|glagent|glsoat|glffct|` +
		`gltst|glwt)-[0-9A-Za-z_-]{10,}(?:\.[0-9A-Za-z_-]+)*` +
		`|GR1348941[0-9A-Za-z_-]{16,}` +
		`|\b[tc]1\.[0-9A-Za-z_-]{40,}={0,2}(?:\.[0-9A-Za-z_-]+={0,2})?` +
		`|\bAQVN[0-9A-Za-z_-]{30,}` +
		`|\by[0-3]_[0-9A-Za-z_-]{40,}` +
		`|\bYC[0-9A-Za-z_-]{38,}` +
		`|\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]*`)

// FindShapes returns the byte ranges of every token-shaped string in b, as
// FindAllIndex does: what a Redactor masks even when nobody registered it.
func FindShapes(b []byte) [][]int { return shapes.FindAllIndex(b, -1) }

// Redactor masks secrets in text. The zero value is ready to use and masks
// token shapes only; it is safe for concurrent use.
type Redactor struct {
	mu        sync.RWMutex
	byPrefix  map[uint64][]string // first MinMaskLen bytes -> values, longest first
	firstTwo  [1 << 10]uint64     // bit set: some value starts with these two bytes
	maxLen    int                 // length of the longest value
	multiline bool                // some value holds a newline
}

// Add registers secret values. Values shorter than MinMaskLen are ignored.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) < MinMaskLen {
			continue
		}
		for _, form := range escapedForms(v) {
			r.add(form)
		}
	}
}

func (r *Redactor) add(v string) {
	if r.byPrefix == nil {
		r.byPrefix = map[uint64][]string{}
	}
	key := prefixKey(v)
	vs := r.byPrefix[key]
	if slices.Contains(vs, v) {
		return
	}
	k := uint16(v[0])<<8 | uint16(v[1])
	r.firstTwo[k>>6] |= 1 << (k & 63)
	vs = append(vs, v)
	slices.SortStableFunc(vs, func(a, b string) int { return len(b) - len(a) })
	r.byPrefix[key] = vs
	r.maxLen = max(r.maxLen, len(v))
	r.multiline = r.multiline || strings.Contains(v, "\n")
}

// escapedForms returns v and the forms it takes inside a URL query or a JSON
// string, where they differ from v.
func escapedForms(v string) []string {
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			s := strings.TrimSuffix(b.String(), "\n")
			forms = append(forms, s[1:len(s)-1])
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// prefixKey packs the first MinMaskLen bytes of s into a map key.
func prefixKey(s string) uint64 {
	var k uint64
	for i := range MinMaskLen {
		k = k<<8 | uint64(s[i])
	}
	return k
}

// Mask returns s with every registered value and every token shape replaced
// by Masked.
func (r *Redactor) Mask(s string) string {
	return replace(s, r.find(s))
}

// span is a half-open byte range of text to mask.
type span struct{ start, end int }

// find returns the sorted, disjoint spans of s to mask: every place where a
// registered value or a token shape occurs, overlaps merged, so no part of
// any value stays visible.
func (r *Redactor) find(s string) []span {
	var found []span
	r.mu.RLock()
	if len(r.byPrefix) > 0 {
		for i := 0; i+MinMaskLen <= len(s); i++ {
			if k := uint16(s[i])<<8 | uint16(s[i+1]); r.firstTwo[k>>6]&(1<<(k&63)) == 0 {
				continue // the map lookup below is what makes masking slow
			}
			for _, v := range r.byPrefix[prefixKey(s[i:])] {
				if strings.HasPrefix(s[i:], v) {
					found = append(found, span{i, i + len(v)}) // the longest
					break
				}
			}
		}
	}
	r.mu.RUnlock()
	return union(findShapes(s, found))
}

// minShape is no longer than the shortest text that shapes matches.
const minShape = 12

// findShapes appends the token shapes in s to found. A shape lies inside one
// run of token characters, and the regular expression is slow, so it runs
// only on runs long enough to hold one. Every word character is a token
// character, so \b at the start of a run means what it means in s.
func findShapes(s string, found []span) []span {
	for i := 0; i < len(s); {
		if !isTokenByte(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isTokenByte(s[j]) {
			j++
		}
		if j-i >= minShape {
			for _, m := range shapes.FindAllStringIndex(s[i:j], -1) {
				found = append(found, span{i + m[0], i + m[1]})
			}
		}
		i = j
	}
	return found
}

// union sorts spans and merges those that overlap.
func union(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:0]
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.start < out[n-1].end {
			out[n-1].end = max(out[n-1].end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// replace returns s with the spans, which must lie inside s, replaced by
// Masked.
func replace(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString(Masked)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Error returns err with its message masked; errors.Is and errors.As still
// see the errors it wraps. A nil err stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if masked := r.Mask(msg); masked != msg {
		return &maskedError{msg: masked, err: err}
	}
	return err
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }
