package secrets

import (
	"encoding/base64"
	"regexp"
	"testing"
)

func TestNewWebhookSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := NewWebhookSecret()
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(raw) != 32 {
			t.Fatalf("secret %q: %d bytes, %v; want 32 bytes of URL-safe base64",
				s, len(raw), err)
		}
		if seen[s] {
			t.Fatalf("secret %q made twice", s)
		}
		seen[s] = true
	}
}

func TestFingerprint(t *testing.T) {
	// The SHA-256 of "abc" starts ba7816bf8f01.
	if got := Fingerprint("abc"); got != "ba7816bf8f01" {
		t.Errorf("Fingerprint(abc) = %q, want ba7816bf8f01", got)
	}
	a, b := NewWebhookSecret(), NewWebhookSecret()
	if fa := Fingerprint(a); !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(fa) ||
		fa == Fingerprint(b) || fa != Fingerprint(a) {
		t.Errorf("fingerprints %q and %q: want 12 stable hex digits, distinct", fa,
			Fingerprint(b))
	}
}
