package secrets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// FingerprintLen is the length of a Fingerprint in hex digits.
const FingerprintLen = 12

// NewWebhookSecret returns 32 random bytes, URL-safe base64 without padding:
// 43 characters that need no escaping in a header or a URL.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// Fingerprint returns the first FingerprintLen hex digits of the SHA-256 of
// secret. hatchery writes it where a secret cannot be read back (a hook's
// description), so a secret rotated in the store is noticed. For the random
// secrets hatchery makes it reveals nothing; a weak secret chosen by a person
// could be guessed from it by trying candidates, as from any unsalted hash.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])[:FingerprintLen]
}
