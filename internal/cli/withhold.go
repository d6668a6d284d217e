package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// withheld is a file that plan writes only when every unit was planned.
type withheld struct {
	name  string            // "saved plan"
	short string            // how the warning names it the second time
	is    func(string) bool // whether a file at a path is one of these
}

// withhold writes no file at path because n units could not be planned,
// and says so on stderr. An earlier file of the kind at path is removed,
// so that nothing acts on it by mistake; another file there is left alone.
func withhold(env *Env, w withheld, path string, n int) error {
	removed := ""
	if w.is(path) {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the earlier %s %s: %w", w.name, path, err)
		}
		removed = "; the earlier " + w.short + " there was removed"
	}
	fmt.Fprintf(env.Stderr, "hatchery: warning: no %s written to %s: "+
		"%s could not be planned%s\n", w.name, path, plural(n, "unit"), removed)
	return nil
}
