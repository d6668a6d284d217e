package cli

import "fmt"

type validateCmd struct {
	Dir string `arg:"" optional:"" default:"." help:"The nest: every .fly file below DIR."`
}

// Run checks the nest and prints a one-line summary when it is valid.
func (c *validateCmd) Run(env *Env) error {
	nest, err := loadNest(env, c.Dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Success! %s, %s in %s.\n",
		plural(len(nest.Eggs), "egg"), plural(len(nest.Buckets), "bucket"),
		plural(len(nest.Files), "file"))
	return nil
}
