package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/diff"

	"gitlab.com/hatchery/hatchery/internal/config"
)

type fmtCmd struct {
	Check bool   `help:"Change nothing: list the files that differ and exit 1 if any do."`
	Diff  bool   `help:"Print a unified diff of the changes instead of file names."`
	Dir   string `arg:"" optional:"" default:"." help:"The nest: every .fly file below DIR."`
}

// change is one file whose canonical form differs from what is on disk.
type change struct {
	name     string
	old, new []byte
	mode     os.FileMode
}

// Run formats every .fly file of the nest. Nothing is written when any file
// does not parse.
func (c *fmtCmd) Run(env *Env) error {
	changes, err := c.changes(env)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		if c.Diff {
			patch := diff.Diff("a/"+ch.name, ch.old, "b/"+ch.name, ch.new)
			env.Stdout.Write(config.MaskTokens(patch))
		} else {
			fmt.Fprintln(env.Stdout, ch.name)
		}
		if c.Check {
			continue
		}
		path := filepath.Join(c.Dir, filepath.FromSlash(ch.name))
		if err := os.WriteFile(path, ch.new, ch.mode); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if c.Check && len(changes) > 0 {
		return &exitError{code: ExitError, err: withHint(
			fmt.Errorf("%s not in canonical form", isAre(len(changes), "file")),
			"run 'hatchery fmt %s' to rewrite them", c.Dir)}
	}
	return nil
}

// changes formats every file in memory and returns those that differ.
func (c *fmtCmd) changes(env *Env) ([]change, error) {
	files, diags, err := config.Files(c.Dir)
	if err != nil {
		return nil, err
	}
	var changes []change
	sources := map[string][]byte{}
	for _, name := range files {
		path := filepath.Join(c.Dir, filepath.FromSlash(name))
		src, err := config.ReadFile(c.Dir, name)
		if err != nil {
			return nil, err
		}
		out, d := config.Format(name, src)
		if d.HasErrors() {
			diags = append(diags, d...)
			sources[name] = config.Displayed(src)
			continue
		}
		if string(out) != string(src) {
			info, err := os.Stat(path)
			if err != nil {
				return nil, fmt.Errorf("stat %s: %w", path, err)
			}
			changes = append(changes, change{name, src, out, info.Mode().Perm()})
		}
	}
	return changes, printDiagnostics(env, sources, diags)
}
