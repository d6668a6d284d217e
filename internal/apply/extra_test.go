package apply_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// TestSecondRunnerWithMarkerIsReported: two applies that overlapped each
// made a runner; the record names one. The other must show in the plan.
func TestSecondRunnerWithMarkerIsReported(t *testing.T) {
	e, sim, ps := bucketOfThree(t)
	e.converge()
	var extra int64
	sim.Update(func(w *gitlabsim.World) {
		r := w.AddRunner("project_type", nil, ps[0])
		r.Description = "fleet [hatchery:fleet]"
		extra = r.ID
	})

	p := e.plan()
	want := fmt.Sprintf("runner %d also carries the marker hatchery:fleet, but the "+
		"secret record names runner %d", extra, e.record("gitlab.com", "fleet").RunnerID)
	if !slices.ContainsFunc(p.Units[0].Warnings, func(w string) bool {
		return strings.HasPrefix(w, want)
	}) {
		t.Errorf("plan warnings %q, want one that starts %q", p.Units[0].Warnings, want)
	}
	if !strings.Contains(text(p), "warning: "+want) {
		t.Errorf("the text plan does not show it:\n%s", text(p))
	}
}
