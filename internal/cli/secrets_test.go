package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

func TestReadSecret(t *testing.T) {
	cases := []struct {
		name, stdin, want, err string
	}{
		{"line end dropped", "secret-value-1\n", "secret-value-1", ""},
		{"windows line end dropped", "secret-value-1\r\n", "secret-value-1", ""},
		{"no line end", "secret-value-1", "secret-value-1", ""},
		{"only one line end dropped", "secret-value-1\n\n", "", "more than one line"},
		{"spaces kept", " secret value ", " secret value ", ""},
		{"empty", "", "", "stdin is empty"},
		{"only a line end", "\n", "", "stdin is empty"},
		{"two lines", "secret-value-1\nsecret-value-2\n", "", "more than one line"},
		{"carriage return inside", "secret\rvalue-1", "", "more than one line"},
		{"too short", "1234567\n", "", "is 7 characters long;"},
		{"one character", "x\n", "", "is 1 character long;"},
		{"shortest allowed", "12345678", "12345678", ""},
		{"far too long", strings.Repeat("x", maxSecret+1), "", "more than 65536 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := &Env{Stdin: strings.NewReader(tc.stdin)}
			got, err := readSecret(env, secrets.Path{
				Unit: secrets.Unit{Server: "gitlab.com", Egg: "a"}, Type: secrets.APIToken})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("readSecret = %q, %v; want an error saying %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("readSecret = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestSecretsSetMasksValueInOutput(t *testing.T) {
	// A failing write prints an error; the value must not be in it, even
	// where a message would quote it.
	dir := t.TempDir()
	// A regular file where the store's directory should be: no write can
	// succeed there.
	store := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(store, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"secrets", "set", "yc-lockbox://gitlab/gitlab.com/a/api-token"},
		&Env{Stdin: strings.NewReader("value-that-must-not-show\n"), Stdout: &stdout,
			Stderr: &stderr, Getenv: func(k string) string {
				if k == "HATCHERY_SECRETS" {
					return "file:" + store + "/value-that-must-not-show"
				}
				return ""
			}})
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	out := stdout.String() + stderr.String()
	if strings.Contains(out, "value-that-must-not-show") || !strings.Contains(out, "[MASKED]") {
		t.Errorf("output does not mask the value:\n%s", out)
	}
	if info, err := os.Stat(store); err != nil || info.Size() != 0 {
		t.Error("a store was written")
	}
}
