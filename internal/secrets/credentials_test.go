package secrets

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
)

const testIDToken = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJnaXRsYWIifQ.c2lnbmF0dXJlLXRlc3Q"

// authorizedKey returns the JSON of an authorized key of the account, as
// `yc iam key create` writes it, with its public half registered in sim.
func authorizedKey(t *testing.T, sim *lockboxsim.Server, account string) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err := sim.AddKey("ajekey0001", account, pubPEM); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]string{"id": "ajekey0001",
		"service_account_id": account, "key_algorithm": "RSA_2048",
		"public_key": pubPEM, "private_key": privPEM})
	return string(data)
}

// TestCredentialSources opens the store with each source and checks which
// account made the List: the first source found wins.
func TestCredentialSources(t *testing.T) {
	sim := startSim(t)
	sim.AddSubject("ajefederated", lockboxsim.RoleViewer)
	sim.AddIDToken(testIDToken, "ajefederated")
	sim.AddSubject("ajekeyed", lockboxsim.RoleViewer)
	key := authorizedKey(t, sim, "ajekeyed")
	sim.SetMetadataAccount("ajereader")
	meta := strings.TrimPrefix(sim.HTTPURL(), "http://")

	cases := []struct {
		name string
		env  []string
		who  string // the account of the List, or a part of the error
	}{
		{"id token, exchanged", []string{DefaultIDTokenVar, testIDToken,
			EnvServiceAccount, "ajefederated", EnvIAMToken, editorToken}, "ajefederated"},
		{"id token in a variable of another name", []string{EnvIDTokenVar, "CI_ID",
			"CI_ID", testIDToken, EnvServiceAccount, "ajefederated"}, "ajefederated"},
		{"key in a variable", []string{EnvKey, key, EnvIAMToken, editorToken}, "ajekeyed"},
		{"IAM token", []string{EnvIAMToken, editorToken, EnvMetadata, meta}, "ajeeditor"},
		{"metadata, asked for", []string{EnvMetadata, meta}, "ajereader"},
		{"id token for another account", []string{DefaultIDTokenVar, testIDToken,
			EnvServiceAccount, "ajeeditor"}, "invalid_grant"},
		{"key of no service account", []string{EnvKey, `{"id": "x", "private_key": "` +
			jsonPEM(testRSAKey(t)) + `"}`}, "key validation failed"},
		{"key whose private_key is no PEM", []string{EnvKey, `{"id": "x", ` +
			`"service_account_id": "ajekeyed", "private_key": "MIIBOgIBAAJB"}`},
			"its private_key is not a valid PEM RSA key"},
		{"key whose private_key is cut short", []string{EnvKey, `{"id": "x", ` +
			`"service_account_id": "ajekeyed", "private_key": "-----BEGIN PRIVATE KEY-----\n` +
			`MIIBAAAA\n-----END PRIVATE KEY-----\n"}`},
			"its private_key is not a valid PEM RSA key"},
		{"key file open to others", []string{EnvKeyFile, keyFile(t, key, 0o644)},
			"is open to group or others (mode 0644): it holds a private key, run chmod 600"},
		{"key file of its owner alone", []string{EnvKeyFile, keyFile(t, key, 0o600)}, "ajekeyed"},
		{"key that is no JSON", []string{EnvKey, `-----BEGIN`}, "not an authorized key"},
		{"missing key file", []string{EnvKeyFile, t.TempDir() + "/none.json"}, "no such file"},
		{"metadata turned off by hand", []string{EnvMetadata, "0"}, "leave it unset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim.ResetRequests()
			st, err := Open(t.Context(), Config{FolderID: testFolder, ReadOnly: true},
				simEnv(sim, tc.env...))
			if err != nil {
				if !strings.Contains(err.Error(), tc.who) {
					t.Fatalf("Open: %v, want %q", err, tc.who)
				}
				msg := err.Error()
				if strings.Contains(msg, testIDToken) || strings.Contains(msg, "PRIVATE") ||
					strings.Contains(msg, "asn1") || strings.Contains(msg, "MIIB") {
					t.Errorf("error shows a credential: %v", err)
				}
				return
			}
			defer st.Close()
			var lists []string
			for _, r := range sim.Requests() {
				if r.Method == "SecretService.List" {
					lists = append(lists, r.Subject)
				}
			}
			if len(lists) != 1 || lists[0] != tc.who {
				t.Errorf("List calls by %v, want one by %s", lists, tc.who)
			}
		})
	}
}

func TestNoCredentialsNeverProbesMetadata(t *testing.T) {
	_, err := Open(t.Context(), Config{FolderID: testFolder, ReadOnly: true},
		func(string) string { return "" })
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("Open: %v, want ErrNoCredentials", err)
	}
}

func TestEndpointsRefuseRemotePlainText(t *testing.T) {
	for _, v := range []string{"http://auth.example.com/oauth/token", "ftp://127.0.0.1/x", "::"} {
		env := map[string]string{EnvTokenURL: v, EnvEndpoint: "127.0.0.1:1"}
		if _, err := endpointsFrom(func(k string) string { return env[k] }); err == nil {
			t.Errorf("token URL %q accepted", v)
		}
	}
	ep, err := endpointsFrom(func(k string) string {
		return map[string]string{EnvEndpoint: "lockbox.example.com:443",
			EnvTokenURL: "https://auth.example.com/oauth/token"}[k]
	})
	if err != nil || ep.plain {
		t.Errorf("a remote endpoint must use TLS: %+v, %v", ep, err)
	}
}

func TestSecretNames(t *testing.T) {
	long := strings.Repeat("a", 63)
	cases := []struct {
		u    Unit
		want string
	}{
		{Unit{"gitlab.com", "my-app"}, "hatchery-gitlab-com-my-app-"},
		{Unit{"127.0.0.1:8080", "x"}, "hatchery-127-0-0-1-8080-x-"},
		{Unit{"[::1]:8443", "x"}, "hatchery-1--8443-x-"},
		{Unit{strings.Repeat("g", 60) + ".example.com", long}, "hatchery-ggg"},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		name := secretName(tc.u)
		if !strings.HasPrefix(name, tc.want) || len(name) > maxSecretName || seen[name] {
			t.Errorf("secretName(%v) = %q (%d), want prefix %q, unique, <= %d",
				tc.u, name, len(name), tc.want, maxSecretName)
		}
		seen[name] = true
		for _, v := range secretLabels(tc.u) {
			const allowed = "abcdefghijklmnopqrstuvwxyz0123456789-_"
			if len(v) > maxLabelValue || strings.Trim(v, allowed) != "" {
				t.Errorf("label value %q of %v breaks Lockbox's rule", v, tc.u)
			}
		}
		if u, ok := unitOf(secretLabels(tc.u), secretDescription(tc.u)); !ok || u != tc.u {
			t.Errorf("unitOf(description of %v) = %v, %t", tc.u, u, ok)
		}
	}
	if _, ok := unitOf(map[string]string{}, secretDescription(lbA)); ok {
		t.Error("a secret without the managed-by label was taken for a record")
	}
}

// TestEndpointsSetTogether: one override without the other would send some
// calls to Yandex Cloud and some to a simulator, so it is refused.
func TestEndpointsSetTogether(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string // "" when accepted
	}{
		{"neither", map[string]string{}, ""},
		{"both", map[string]string{EnvEndpoint: "127.0.0.1:9000",
			EnvTokenURL: "http://127.0.0.1:9001/oauth/token"}, ""},
		{"endpoint alone", map[string]string{EnvEndpoint: "127.0.0.1:9000"},
			"HATCHERY_YC_ENDPOINT=127.0.0.1:9000 is set but HATCHERY_YC_TOKEN_URL is not"},
		{"token URL alone", map[string]string{EnvTokenURL: "http://127.0.0.1:9001/oauth/token"},
			"HATCHERY_YC_TOKEN_URL=http://127.0.0.1:9001/oauth/token is set but " +
				"HATCHERY_YC_ENDPOINT is not"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := endpointsFrom(func(k string) string { return tc.env[k] })
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// testRSAKey returns a new RSA private key in PEM.
func testRSAKey(t *testing.T) string {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// jsonPEM escapes a PEM block's line ends for a JSON string.
func jsonPEM(p string) string { return strings.ReplaceAll(p, "\n", `\n`) }

// keyFile writes the key's JSON to a file with the mode.
func keyFile(t *testing.T, key string, mode os.FileMode) string {
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, []byte(key), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}
