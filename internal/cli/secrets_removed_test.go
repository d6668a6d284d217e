package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestSecretsListsRemovedEggs: the record a removed egg left, such as the
// api-token that forget keeps, is listed, so it is never out of sight.
func TestSecretsListsRemovedEggs(t *testing.T) {
	dir := t.TempDir()
	nest := oneEggNest(t, dir)
	path := filepath.Join(dir, "secrets.json")
	store, err := secrets.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	up := secrets.Update{Values: map[secrets.Type]string{
		secrets.APIToken: "glpat-gone-0123456789abcdef"}}
	for _, egg := range []string{"gone", "nest"} {
		err := store.Write(context.Background(), secrets.Unit{Server: "gitlab.com", Egg: egg}, up)
		if err != nil {
			t.Fatal(err)
		}
	}

	var stdout, stderr bytes.Buffer
	code := Main([]string{"secrets", nest}, &Env{Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "HATCHERY_SECRETS" {
				return "file:" + path
			}
			return ""
		}})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := "egg a on gitlab.com\n" +
		"  yc-lockbox://gitlab/gitlab.com/a/api-token       missing: a person stores it\n" +
		"  yc-lockbox://gitlab/gitlab.com/a/runner-token    " +
		"missing: apply stores it with the runner\n" +
		"  yc-lockbox://gitlab/gitlab.com/a/webhook-secret  not needed: no webhook\n" +
		"egg gone on gitlab.com (removed from the nest)\n" +
		"  yc-lockbox://gitlab/gitlab.com/gone/api-token  present: stored by a person; " +
		"hatchery keeps it, delete it by hand when it is no longer needed\n" +
		"\nStore each missing api-token (a GitLab token with the api scope) with:\n" +
		"  hatchery secrets set yc-lockbox://gitlab/gitlab.com/a/api-token < token.txt\n"
	if stdout.String() != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout.String(), want)
	}
}

// oneEggNest writes a nest of one egg, a, on project 1 of gitlab.com, to
// dir/nest and returns that directory.
func oneEggNest(t *testing.T, dir string) string {
	t.Helper()
	nest := filepath.Join(dir, "nest")
	fly := "egg \"a\" {\n  gitlab {\n    server     = \"gitlab.com\"\n    project_id = 1\n  }\n}\n"
	if err := os.Mkdir(nest, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nest, "a.fly"), []byte(fly), 0o644); err != nil {
		t.Fatal(err)
	}
	return nest
}
