package secrets

// Credentials of the Lockbox backend. The first source found wins, in this
// order, and only the environment is read:
//
//  1. A GitLab CI id token (the variable HATCHERY_ID_TOKEN_VAR names, else
//     HATCHERY_ID_TOKEN), exchanged for an IAM token of the service account
//     in HATCHERY_YC_SERVICE_ACCOUNT_ID by workload identity federation.
//  2. An authorized key of a service account: a file (HATCHERY_YC_KEY_FILE)
//     or its JSON (HATCHERY_YC_KEY), exchanged by IAM for IAM tokens.
//  3. An IAM token as it is (HATCHERY_YC_IAM_TOKEN).
//  4. The VM metadata service, only when HATCHERY_YC_METADATA asks for it:
//     "1" for the real one at 169.254.169.254, or host:port. It is never
//     probed otherwise.
//
// The SDK's credential code has no federation exchange, so hatchery sends
// the RFC 8693 request itself over net/http; keys and the metadata service
// use the SDK's own credentials.

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/yandex-cloud/go-sdk/v2/credentials"
	"github.com/yandex-cloud/go-sdk/v2/pkg/iamkey"
)

// Environment variables that choose the Lockbox backend's credentials and
// endpoints. The README documents each one.
const (
	EnvIDTokenVar     = "HATCHERY_ID_TOKEN_VAR"
	DefaultIDTokenVar = "HATCHERY_ID_TOKEN"
	EnvServiceAccount = "HATCHERY_YC_SERVICE_ACCOUNT_ID"
	EnvKeyFile        = "HATCHERY_YC_KEY_FILE"
	EnvKey            = "HATCHERY_YC_KEY"
	EnvIAMToken       = "HATCHERY_YC_IAM_TOKEN"
	EnvMetadata       = "HATCHERY_YC_METADATA"
	EnvEndpoint       = "HATCHERY_YC_ENDPOINT"
	EnvTokenURL       = "HATCHERY_YC_TOKEN_URL"
	EnvFolder         = "HATCHERY_LOCKBOX_FOLDER_ID"
)

// EnvLockbox lists every variable above, for tests that must start clean.
var EnvLockbox = []string{EnvIDTokenVar, DefaultIDTokenVar, EnvServiceAccount, EnvKeyFile,
	EnvKey, EnvIAMToken, EnvMetadata, EnvEndpoint, EnvTokenURL, EnvFolder}

// ErrNoCredentials is returned (wrapped) by Open when the Lockbox backend
// finds no credentials.
var ErrNoCredentials = errors.New("no Yandex Cloud credentials")

// defaultMetadataAddr is the VM metadata service, used only on request.
const defaultMetadataAddr = "169.254.169.254"

// cloudCreds are the credentials found and where they came from.
type cloudCreds struct {
	creds  credentials.Credentials
	source string // for messages: never a secret
	kind   string // credsExchange, credsKey, credsIAMToken or credsMetadata
	// For messages: the variable of the id token, and the key's id and
	// service account.
	tokenVar, keyID, account string
}

// findCredentials returns the first credentials that the environment holds.
func findCredentials(getenv func(string) string, ep *cloudEndpoints) (*cloudCreds, error) {
	tokenVar := getenv(EnvIDTokenVar)
	if tokenVar == "" {
		tokenVar = DefaultIDTokenVar
	}
	if idToken := getenv(tokenVar); idToken != "" {
		sa := getenv(EnvServiceAccount)
		if sa == "" {
			return nil, fmt.Errorf("%s holds an id token but %s is empty: set it to the "+
				"service account that the workload identity federation lets this job "+
				"act as", tokenVar, EnvServiceAccount)
		}
		x := newExchange(ep.tokenURL, tokenVar, idToken, sa)
		return &cloudCreds{creds: x, source: fmt.Sprintf("the id token in %s, exchanged for "+
			"service account %s", tokenVar, sa), kind: credsExchange, tokenVar: tokenVar,
			account: sa}, nil
	}
	if cc, err := keyCredentials(getenv); cc != nil || err != nil {
		return cc, err
	}
	if t := getenv(EnvIAMToken); t != "" {
		return &cloudCreds{creds: credentials.IAMToken(strings.TrimSpace(t)),
			source: "the IAM token in " + EnvIAMToken, kind: credsIAMToken}, nil
	}
	if m := getenv(EnvMetadata); m != "" {
		addr, err := metadataAddr(m)
		if err != nil {
			return nil, err
		}
		return &cloudCreds{creds: credentials.NewMetadataServiceCredentialProvider(addr),
			source: "the metadata service at " + addr, kind: credsMetadata}, nil
	}
	return nil, fmt.Errorf("%w: set one of %s (with %s) in GitLab CI, %s or %s for a "+
		"service account key, %s for an IAM token, or %s=1 on a Yandex Cloud VM",
		ErrNoCredentials, tokenVar, EnvServiceAccount, EnvKeyFile, EnvKey, EnvIAMToken,
		EnvMetadata)
}

// keyCredentials reads a service account's authorized key, from a file or
// from the environment; it returns nil credentials when neither is set.
func keyCredentials(getenv func(string) string) (*cloudCreds, error) {
	var key *iamkey.Key
	var src string
	var err error
	file, inline := getenv(EnvKeyFile), getenv(EnvKey)
	switch {
	case file != "":
		src = "the authorized key in " + file
		if err := checkKeyMode(file); err != nil {
			return nil, err
		}
		key, err = iamkey.ReadFromJSONFile(file)
	case inline != "":
		src = "the authorized key in " + EnvKey
		key, err = iamkey.ReadFromJSONBytes([]byte(inline))
	default:
		return nil, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: no such file", src)
	}
	if err != nil {
		// The parser's message may quote the key: say only what went wrong.
		return nil, fmt.Errorf("read %s: not an authorized key in JSON, as "+
			"'yc iam key create --output FILE' writes it", src)
	}
	if !isRSAKey(key.GetPrivateKey()) {
		// The parser's message may quote the key's bytes.
		return nil, fmt.Errorf("read %s: its private_key is not a valid PEM RSA key; "+
			"make a new key with yc iam key create --output FILE", src)
	}
	c, err := credentials.ServiceAccountKey(key)
	if err != nil {
		return nil, fmt.Errorf("use %s: %w", src, err)
	}
	return &cloudCreds{creds: c, source: src, kind: credsKey, keyID: key.GetId(),
		account: key.GetServiceAccountId()}, nil
}

// checkKeyMode refuses a key file that group or others may read, as the
// file store refuses its file and ssh its keys. A missing file is left to
// the reader to report.
func checkKeyMode(path string) error {
	info, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" {
		return nil
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s=%s is open to group or others (mode %04o): it holds a "+
			"private key, run chmod 600 %s", EnvKeyFile, path, perm, path)
	}
	return nil
}

// isRSAKey reports whether s is a PEM block of an RSA private key, PKCS #8
// or PKCS #1, as authorized keys hold it.
func isRSAKey(s string) bool {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return false
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	return err == nil
}

// metadataAddr reads HATCHERY_YC_METADATA: "1" or "true" for the real
// service, else host:port.
func metadataAddr(v string) (string, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes":
		return defaultMetadataAddr, nil
	case "0", "false", "no":
		return "", fmt.Errorf("%s=%s: leave it unset to not use the metadata service",
			EnvMetadata, v)
	}
	if strings.Contains(v, "/") {
		return "", fmt.Errorf("%s=%q: want 1, or host:port of a metadata service",
			EnvMetadata, v)
	}
	return v, nil
}
