package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestApplyRefusedWhileAnotherHolds runs apply while another apply holds the
// file store: it must stop before touching GitLab and name the lock file.
func TestApplyRefusedWhileAnotherHolds(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.NewWorld())
	if _, err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	nest := oneEggNest(t, dir)
	store := filepath.Join(dir, "secrets.json")
	other, err := secrets.OpenFile(store, false)
	if err != nil {
		t.Fatal(err)
	}
	release, err := other.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	vars := map[string]string{"HATCHERY_SECRETS": "file:" + store,
		"HATCHERY_SERVER_URLS": "gitlab.com=" + sim.URL()}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"apply", nest}, &Env{Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] }})
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	want := "hatchery: error: lock secrets file " + store + ": another hatchery apply " +
		"holds the secret store: " + store + ".apply.lock is locked\n" +
		"hatchery: hint: wait for the other apply to finish and run this one again: " +
		"it plans anew\n"
	if stderr.String() != want {
		t.Errorf("stderr =\n%s\nwant\n%s", stderr.String(), want)
	}
	if stdout.Len() != 0 || len(sim.Requests()) != 0 {
		t.Errorf("apply went on: stdout %q, %d requests", stdout.String(), len(sim.Requests()))
	}
}
