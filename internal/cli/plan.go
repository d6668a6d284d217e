package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"gitlab.com/hatchery/hatchery/internal/plan"
)

type planCmd struct {
	Dir              string `arg:"" optional:"" default:"." help:"The nest: every .fly file below DIR."`
	Format           string `enum:"text,json" default:"text" help:"Output: text or json."`
	DetailedExitcode bool   `help:"Exit 2 when the plan has changes, 0 when it has none."`
	gitlabFlags
}

// Run plans and prints the plan. Planning is read-only: the secret store is
// opened for reading and GitLab only sees GET requests.
func (c *planCmd) Run(ctx context.Context, env *Env) error {
	s, err := openSession(ctx, env, c.Dir, true, c.gitlabFlags)
	if err != nil {
		return err
	}
	defer s.close()
	p, err := s.planner().Plan(ctx, s.state)
	if err != nil {
		return err
	}
	if err := writePlan(env, p, c.Format); err != nil {
		return err
	}
	return planOutcome(p, c.DetailedExitcode)
}

func writePlan(env *Env, p *plan.Plan, format string) error {
	if format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	st := plan.Style{}
	if env.Color(env.StdoutTTY) {
		st = plan.TerminalStyle()
	}
	return p.WriteText(env.Stdout, st)
}

// planOutcome is the exit of a plan: 1 when a unit could not be planned,
// else 2 for changes under --detailed-exitcode.
func planOutcome(p *plan.Plan, detailed bool) error {
	if n := p.Errors(); n > 0 {
		return withHint(fmt.Errorf("%d of %d units could not be planned", n, len(p.Units)),
			"each unit's error above says what it needs; the other units were planned")
	}
	if detailed && p.Changes() {
		return exitCode(ExitChanges)
	}
	return nil
}
