package cli

// Saved plans, as Terraform keeps them: a plan in which a unit could not
// be planned is never saved, and apply refuses one that records such a
// unit. Applying it would carry out part of a change that nobody could
// review whole.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"gitlab.com/hatchery/hatchery/internal/plan"
)

// savePlan writes the plan for apply FILE, or, when a unit could not be
// planned, writes none and says so. An earlier saved plan at path is then
// removed, so that it cannot be applied by mistake; another file there is
// left alone.
func savePlan(s *session, p *plan.Plan, path string) error {
	if n := p.Errors(); n > 0 {
		removed := ""
		if isSavedPlan(path) {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove the earlier saved plan %s: %w", path, err)
			}
			removed = "; the earlier saved plan there was removed"
		}
		fmt.Fprintf(s.env.Stderr, "hatchery: warning: no saved plan written to %s: "+
			"%d %s could not be planned%s\n", path, n, pluralWord(n, "unit", "units"), removed)
		return nil
	}
	nest := plan.SavedNest{Dir: s.nest.Dir, SHA256: plan.NestHash(s.nest.Files, s.nest.Sources)}
	return writeMasked(s.env, path, p.Save(nest, version()).Write)
}

// isSavedPlan reports whether the file at path reads as a saved plan.
func isSavedPlan(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = plan.ReadSaved(f)
	return err == nil
}

// refuseFailed refuses a saved plan that records a unit that could not be
// planned; older hatchery versions saved such plans.
func refuseFailed(saved *plan.Saved, file string) error {
	for _, u := range saved.Units {
		if u.Error == "" {
			continue
		}
		return withHint(fmt.Errorf("refused to apply %s: %s on %s could not be planned; "+
			"nothing was changed", file, u.Egg, u.Server),
			"a saved plan must plan every unit: fix what the plan says about the unit, "+
				"then plan again with --out and have that plan reviewed")
	}
	return nil
}
