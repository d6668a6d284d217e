package cli

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitlab.com/hatchery/hatchery/examples"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// told is the line a wait of four seconds on the simulated gitlab.com's
// rate limit puts on stderr: longer than hatchery waits without a word.
const told = "hatchery: waiting 4s: gitlab.com asked to slow down (429)"

// TestLongWaitsAreTold throttles one request of the demo, and one of the
// requests that post --mr-note, for longer than hatchery waits silently:
// each wait is told on stderr, as it is for plan and apply.
func TestLongWaitsAreTold(t *testing.T) {
	t.Run("demo", func(t *testing.T) {
		t.Parallel()
		d, nest, _ := throttledDemo(t, gitlabsim.Fault{Method: "GET", Route: "*"})
		var stderr bytes.Buffer
		env := &Env{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" },
			Redactor: &secrets.Redactor{}, Logger: slog.New(slog.DiscardHandler)}
		_, state, err := loadState(env, nest)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.run(t.Context(), env, state); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), told) {
			t.Errorf("stderr does not tell the wait:\n%s", stderr.String())
		}
	})
	t.Run("plan --mr-note", func(t *testing.T) {
		t.Parallel()
		d, nest, store := throttledDemo(t, gitlabsim.Fault{Method: "POST",
			Route: "/projects/:id/merge_requests/:noteable_id/notes"})
		vars := demoCIVars(t, d, nest, store)
		var stdout, stderr bytes.Buffer
		code := Main([]string{"plan", "--mr-note", nest}, &Env{Stdout: &stdout, Stderr: &stderr,
			Getenv: func(k string) string { return vars[k] }})
		if code != ExitOK || !strings.Contains(stderr.String(), told) {
			t.Errorf("exit %d, stderr does not tell the wait:\n%s", code, stderr.String())
		}
	})
}

// throttledDemo starts the demo's simulators for the example nest and
// makes the first request that f matches wait on gitlab.com's rate limit.
func throttledDemo(t *testing.T, f gitlabsim.Fault) (d *demo, nest, store string) {
	t.Helper()
	d, nest, store = exampleDemo(t)
	f.Status, f.Times, f.RetryAfter = http.StatusTooManyRequests, 1, 4*time.Second
	d.sims["gitlab.com"].AddFault(f)
	return d, nest, store
}

// exampleDemo writes the example nest and starts the demo's simulators and
// file store for it, stopped when the test ends.
func exampleDemo(t *testing.T) (d *demo, nest, store string) {
	t.Helper()
	work := t.TempDir()
	nest = filepath.Join(work, "nest")
	if err := os.CopyFS(nest, mustSub(examples.Nest, "nest")); err != nil {
		t.Fatal(err)
	}
	quiet := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	_, state, err := loadState(quiet, nest)
	if err != nil {
		t.Fatal(err)
	}
	store = filepath.Join(work, "secrets.json")
	d, err = startDemo(t.Context(), quiet, state, store, "file")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.close)
	return d, nest, store
}
