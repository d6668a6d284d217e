package apply_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestForgetKeepsAPIToken: deleting what a removed egg left removes the
// secrets apply made and keeps the api-token a person stored; the record
// then plans nothing, and the plan says it is there.
func TestForgetKeepsAPIToken(t *testing.T) {
	e, sim, _ := bucketOfThree(t)
	e.converge()
	token := e.record("gitlab.com", "fleet").Values[secrets.APIToken]
	e.nest("# nothing left\n")

	_, res := e.apply(true)
	if !res.OK() {
		t.Fatalf("apply --allow-delete failed: %v", res.Failed)
	}
	if n := len(runners(sim, "fleet")); n != 0 {
		t.Fatalf("%d runners left", n)
	}
	rec := e.record("gitlab.com", "fleet")
	if got := slices.Sorted(maps.Keys(rec.Values)); !slices.Equal(got,
		[]secrets.Type{secrets.APIToken}) || rec.Values[secrets.APIToken] != token {
		t.Errorf("record holds %v, want the api-token alone, unchanged", got)
	}
	if rec.RunnerID != 0 {
		t.Errorf("record names runner %d, want none", rec.RunnerID)
	}

	p := e.plan()
	if p.Changes() || p.Errors() != 0 || len(p.Units) != 1 {
		t.Fatalf("plan after the removal is not empty:\n%s", text(p))
	}
	want := "the api-token a person stored at " +
		"yc-lockbox://gitlab/gitlab.com/fleet/api-token stays"
	if !strings.Contains(text(p), want) {
		t.Errorf("the plan does not mention the kept api-token:\n%s", text(p))
	}
}
