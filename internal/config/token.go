package config

import (
	"bytes"
	"cmp"
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// A .fly file never holds a secret. Anything shaped like a token is found in
// the raw bytes (strings, comments, labels alike), reported without its value,
// and masked before the file is parsed, so the value never reaches a struct,
// a snippet or a diff.

// tokenKind describes one family of token by its prefix.
type tokenKind struct {
	prefix string
	what   string // "a GitLab personal access token"
	secret string // the secret type to store it as; "" when not a GitLab one
}

var tokenKinds = []tokenKind{
	{"glpat-", "a GitLab personal access token", "api-token"},
	{"glrt-", "a GitLab runner authentication token", "runner-token"},
	{"glrtr-", "a GitLab runner authentication token", "runner-token"},
	{"GR1348941", "a GitLab runner registration token", "runner-token"},
	{"gldt-", "a GitLab deploy token", "api-token"},
	{"glptt-", "a GitLab pipeline trigger token", "api-token"},
	{"glcbt-", "a GitLab CI/CD job token", "api-token"},
	{"gloas-", "a GitLab OAuth application secret", "api-token"},
	{"glft-", "a GitLab feed token", "api-token"},
	{"glimt-", "a GitLab incoming mail token", "api-token"},
	{"glagent-", "a GitLab agent token", "api-token"},
	{"glsoat-", "a GitLab SCIM token", "api-token"},
	{"glffct-", "a GitLab feature flags client token", "api-token"},
	{"gltst-", "a GitLab token", "api-token"},
	{"glwt-", "a GitLab workspace token", "api-token"},
	{"t1.", "a Yandex Cloud IAM token", ""},
	{"c1.", "a Yandex Cloud cookie", ""},
	{"AQVN", "a Yandex Cloud API key", ""},
	{"YC", "a Yandex Cloud static key secret", ""},
	{"eyJ", "a JSON web token", ""},
	{"y0_", "a Yandex OAuth token", ""},
	{"y1_", "a Yandex OAuth token", ""},
	{"y2_", "a Yandex OAuth token", ""},
	{"y3_", "a Yandex OAuth token", ""},
}

// tokenHit is one token found in a file, by byte offsets.
type tokenHit struct {
	start, end int
	kind       tokenKind
}

// findTokens returns every token-shaped string in src.
func findTokens(src []byte) []tokenHit {
	var hits []tokenHit
	// One definition of a token's shape serves masking and this check, so a
	// token the output would mask is never accepted in a .fly file.
	for _, m := range secrets.FindShapes(src) {
		if m[0] > 0 && isWordByte(src[m[0]-1]) {
			continue // masked in output all the same, but not a token of its own
		}
		hits = append(hits, tokenHit{m[0], m[1], kindOf(src[m[0]:m[1]])})
	}
	return hits
}

func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

func kindOf(tok []byte) tokenKind {
	for _, k := range tokenKinds {
		if bytes.HasPrefix(tok, []byte(k.prefix)) {
			return k
		}
	}
	return tokenKind{what: "a token"} // unreachable while the shapes and list agree
}

// maskTokens returns a copy of src in which every hit keeps its prefix and the
// rest is replaced by '*', byte for byte, so positions do not move.
func maskTokens(src []byte, hits []tokenHit) []byte {
	if len(hits) == 0 {
		return src
	}
	out := bytes.Clone(src)
	for _, h := range hits {
		for i := h.start + len(h.kind.prefix); i < h.end; i++ {
			out[i] = '*'
		}
	}
	return out
}

// Displayed returns a file's bytes as diagnostics show them: without a byte
// order mark, tokens masked. Nest.Sources holds the same.
func Displayed(src []byte) []byte {
	return MaskTokens(trimBOM(src))
}

// MaskTokens returns b with every token-shaped string masked; for output that
// shows a .fly file's text, such as a diff.
func MaskTokens(b []byte) []byte {
	return maskTokens(b, findTokens(b))
}

// tokenDiagnostic reports a hit. unit names the egg and server it sits in,
// as far as they are known.
func tokenDiagnostic(file string, src []byte, h tokenHit, egg, server string) *hcl.Diagnostic {
	detail := fmt.Sprintf("This looks like %s. A .fly file never holds a secret, "+
		"and this one is in the repository's history now: revoke it, delete it here",
		h.kind.what)
	if h.kind.secret == "" {
		detail += ", and let hatchery find Yandex Cloud credentials itself " +
			"(workload identity federation, a service account key file, " +
			"or the metadata service)."
	} else {
		unit := secrets.Unit{Server: cmp.Or(server, "{server}"), Egg: cmp.Or(egg, "{egg}")}
		at := unit.Path(secrets.Type(h.kind.secret))
		detail += fmt.Sprintf(", and store a new one at %s "+
			"('hatchery secrets' prints the command).", at)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Token in a .fly file",
		Detail:   detail,
		Subject:  rangeAt(file, src, h.start, h.end).Ptr(),
	}
}

// rangeAt converts byte offsets in src to an hcl.Range. Columns count
// characters, as hcl's do for text without combining marks.
func rangeAt(file string, src []byte, start, end int) hcl.Range {
	return hcl.Range{Filename: file, Start: posAt(src, start), End: posAt(src, end)}
}

func posAt(src []byte, off int) hcl.Pos {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	col := 1 + utf8.RuneCount(src[lineStart:off])
	return hcl.Pos{Line: line, Column: col, Byte: off}
}
