package cli

import (
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"gitlab.com/hatchery/hatchery/internal/config"
)

// loadNest loads and checks the nest in dir and prints its diagnostics on
// stderr. An invalid or empty nest is an error that exits with ExitInvalid;
// a nest that cannot be read, one that exits with ExitError.
func loadNest(env *Env, dir string) (*config.Nest, error) {
	files, problems, err := config.Files(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 && len(problems) == 0 { // else Load says what is wrong
		return nil, &exitError{code: ExitInvalid, err: withHint(
			fmt.Errorf("no .fly files in %s", dir),
			"a nest is a directory of .fly files: give its path as the DIR argument")}
	}
	nest, diags := config.Load(dir)
	if err := printDiagnostics(env, nest.Sources, diags); err != nil {
		return nil, err
	}
	return nest, nil
}

// printDiagnostics prints diags on stderr and turns errors among them into
// an error that exits with ExitInvalid.
func printDiagnostics(env *Env, sources map[string][]byte, diags hcl.Diagnostics) error {
	if len(diags) == 0 {
		return nil
	}
	err := config.WriteDiagnostics(env.Stderr, sources, diags, env.Color(env.StderrTTY))
	if err != nil {
		return fmt.Errorf("print diagnostics: %w", err)
	}
	if n := len(diags.Errs()); n > 0 {
		return &exitError{code: ExitInvalid, err: errors.New("the nest has " + plural(n, "error"))}
	}
	return nil
}

// plural returns "1 egg" or "3 eggs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ofTotal returns "1 of 1 unit" or "1 of 3 units": the noun agrees with
// the total.
func ofTotal(n, total int, noun string) string {
	return fmt.Sprintf("%d of %s", n, plural(total, noun))
}

// isAre returns "1 file is" or "3 files are".
func isAre(n int, noun string) string {
	if n == 1 {
		return "1 " + noun + " is"
	}
	return plural(n, noun) + " are"
}
