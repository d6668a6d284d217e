package cli

import (
	"bytes"
	"errors"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/apply"
	"gitlab.com/hatchery/hatchery/internal/plan"
)

// TestApplyOutcome checks the summary that ends an apply: one blank line
// after the actions' log, none when nothing ran, and deletions left for
// --allow-delete counted on stdout and warned about on stderr.
func TestApplyOutcome(t *testing.T) {
	del := &plan.Action{Op: plan.OpDelete, Object: plan.ObjRunner, RunnerID: 1}
	cases := []struct {
		name      string
		res       apply.Result
		unplanned int
		stdout    string
		stderr    string
		failed    bool
	}{
		{"done", apply.Result{Done: 3}, 0, "\nApply complete: 3 done.\n", "", false},
		{"only deletions left", apply.Result{Left: []*plan.Action{del, del}}, 0,
			"Apply complete: 0 done, 2 left for --allow-delete.\n",
			"hatchery: warning: 2 actions left undone: deletions and runner " +
				"replacements run only with apply --allow-delete\n", false},
		{"done and one left", apply.Result{Done: 1, Left: []*plan.Action{del}}, 0,
			"\nApply complete: 1 done, 1 left for --allow-delete.\n",
			"hatchery: warning: 1 action left undone: deletions and runner " +
				"replacements run only with apply --allow-delete\n", false},
		{"failed", apply.Result{Done: 1, Failed: []error{errors.New("boom")}}, 0,
			"\nApply incomplete: 1 done, 1 failed, 0 skipped.\n", "", true},
		{"interrupted", apply.Result{Done: 1, NotStarted: 2, Interrupted: true}, 0,
			"\nApply interrupted: 1 done, 0 failed, 2 not started.\n", "", true},
		{"a unit not planned", apply.Result{Done: 2}, 1,
			"\nApply incomplete: 2 done, 0 failed, 0 skipped, 1 unit not planned.\n", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := &Env{Stdout: &stdout, Stderr: &stderr}
			err := applyOutcome(env, tc.unplanned, &tc.res)
			if got := stdout.String(); got != tc.stdout {
				t.Errorf("stdout = %q, want %q", got, tc.stdout)
			}
			if got := stderr.String(); got != tc.stderr {
				t.Errorf("stderr = %q, want %q", got, tc.stderr)
			}
			if (err != nil) != tc.failed {
				t.Errorf("error = %v, want failure %v", err, tc.failed)
			}
		})
	}
}

// TestApplyOutcomeHint: the hint speaks of what went wrong: failures, or
// units not planned when nothing failed.
func TestApplyOutcomeHint(t *testing.T) {
	cases := []struct {
		name      string
		res       apply.Result
		unplanned int
		hint      string
	}{
		{"failed", apply.Result{Failed: []error{errors.New("boom")}}, 0,
			"fix the failures above and run apply again; what is done stays done"},
		{"a unit not planned", apply.Result{Done: 2}, 1,
			"the plan's error for each unit not planned says what it needs; fix that and " +
				"run apply again; what is done stays done"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
			var h *hintError
			err := applyOutcome(env, tc.unplanned, &tc.res)
			if !errors.As(err, &h) || h.hint != tc.hint {
				t.Errorf("error %v, want the hint %q", err, tc.hint)
			}
		})
	}
}
