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
	"path/filepath"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/plan"
)

// savePlan writes the plan for apply FILE, or, when a unit could not be
// planned, writes none and says so. An earlier saved plan at path is then
// removed, so that it cannot be applied by mistake; another file there is
// left alone.
func savePlan(s *session, p *plan.Plan, path string) error {
	if n := p.Errors(); n > 0 {
		w := withheld{name: "saved plan", short: "saved plan", is: isSavedPlan}
		return withhold(s.env, w, path, n)
	}
	nest := plan.SavedNest{Dir: savedDir(s.env, s.nest.Dir),
		SHA256: plan.NestHash(s.nest.Files, s.nest.Sources)}
	return writeMasked(s.env, path, p.Save(nest, version()).Write)
}

// savedDir is the nest's directory as a saved plan names it: relative to
// the checkout (CI_PROJECT_DIR) in CI, else to the working directory, with
// forward slashes, so that the plan applies in another checkout. A path
// that cannot be made relative stays as it is.
func savedDir(env *Env, dir string) string {
	base, err := checkoutDir(env)
	if err != nil {
		return dir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return dir
	}
	return filepath.ToSlash(rel)
}

// resolveSavedDir is the directory that a saved plan's nest.dir names, in
// this checkout: savedDir's inverse.
func resolveSavedDir(env *Env, dir string) string {
	dir = filepath.FromSlash(dir)
	if filepath.IsAbs(dir) {
		return dir
	}
	base, err := checkoutDir(env)
	if err != nil {
		return dir
	}
	return filepath.Join(base, dir)
}

// savedNestDir is the directory of the nest that the saved plan in file
// was made from, which must exist in this checkout.
func savedNestDir(env *Env, saved *plan.Saved, file string) (string, error) {
	dir := resolveSavedDir(env, saved.Nest.Dir)
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return dir, nil
	}
	base := "the working directory"
	if root := env.Getenv("CI_PROJECT_DIR"); root != "" {
		base = "CI_PROJECT_DIR (" + root + ")"
	}
	return "", withHint(fmt.Errorf("%s was planned from the nest in %s, and there is no "+
		"directory %s", file, saved.Nest.Dir, dir),
		"a saved plan's nest path is resolved against %s: run apply from the "+
			"root of the checkout that plan ran in", base)
}

// checkoutDir is CI_PROJECT_DIR when set, else the working directory.
func checkoutDir(env *Env) (string, error) {
	if root := env.Getenv("CI_PROJECT_DIR"); root != "" {
		return filepath.Abs(root)
	}
	return os.Getwd()
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

// refuseDrift lists how a fresh plan differs from the saved one and
// refuses it. A saved plan with changes whose fresh plan has none was
// applied already, or someone made its changes by hand: one line says so
// before the details. The heading names what differs: GitLab or the
// secret store when an object moved, else the file, which was edited.
func refuseDrift(env *Env, file string, saved *plan.Saved, fresh *plan.Plan,
	drift []plan.Difference) error {
	moved := slices.ContainsFunc(drift, func(d plan.Difference) bool { return d.Moved })
	if saved.Summary.Changes && !fresh.Changes() {
		fmt.Fprintf(env.Stdout, "%s was applied already, or is out of date: a fresh plan "+
			"finds nothing to change.\n\n", file)
	}
	switch {
	case moved:
		fmt.Fprintf(env.Stdout, "GitLab or the secret store moved since %s was planned:\n", file)
	default:
		fmt.Fprintf(env.Stdout, "%s does not match a fresh plan of its nest, which did not "+
			"change (was the file edited?):\n", file)
	}
	for _, d := range drift {
		fmt.Fprintf(env.Stdout, "  - %s\n", d)
	}
	return withHint(fmt.Errorf("refused to apply %s: %s since the plan; nothing was "+
		"changed", file, plural(len(drift), "difference")),
		"review a new plan (hatchery plan --out FILE), or run hatchery apply --refresh %s "+
			"to plan again and apply that", file)
}
