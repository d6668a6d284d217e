package cli

import (
	"context"
	"fmt"
	"strings"
)

type targetsCmd struct {
	Dir string `arg:"" optional:"" default:"." help:"The nest: every .fly file below DIR."`
	gitlabFlags
}

// Run prints every unit's targets after discovery, and what was skipped.
func (c *targetsCmd) Run(ctx context.Context, env *Env) error {
	s, err := openSession(ctx, env, c.Dir, true, c.gitlabFlags)
	if err != nil {
		return err
	}
	defer s.close()
	units := s.planner().Targets(ctx, s.state)
	var b strings.Builder
	failed := 0
	for _, u := range units {
		fmt.Fprintf(&b, "egg %s on %s (%s)\n", u.Egg, u.Server, u.Kind)
		if u.Error != "" {
			failed++
			fmt.Fprintf(&b, "  error: %s\n", u.Error)
		}
		for _, t := range u.Targets {
			fmt.Fprintf(&b, "  %-8d %s  (%s)\n", t.ID, t.Path, t.Via)
		}
		for _, sk := range u.Skipped {
			fmt.Fprintf(&b, "  skipped %d %s: %s\n", sk.ID, sk.Path, sk.Reason)
		}
	}
	fmt.Fprint(env.Stdout, b.String())
	if failed > 0 {
		return fmt.Errorf("%s could not be resolved", ofTotal(failed, len(units), "unit"))
	}
	return nil
}
