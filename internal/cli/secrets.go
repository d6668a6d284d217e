package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// secretsCmd groups the commands on the secret store; plain
// `hatchery secrets [DIR]` lists.
type secretsCmd struct {
	List secretsListCmd `cmd:"" default:"withargs" help:"${cmd_secrets_list}"`
	Set  secretsSetCmd  `cmd:"" help:"Store one secret; its value is read from stdin."`
}

type secretsSetCmd struct {
	Path string `arg:"" help:"Where the secret goes: yc-lockbox://gitlab/{server}/{egg}/{type}."`
	Dir  string `default:"." help:"The nest whose store to use; HATCHERY_SECRETS overrides it."`
	// Force replaces a secret that apply manages (see refuseManaged) and
	// stores one for a unit the nest does not have (see refuseUnknownUnit).
	Force bool `help:"${secrets_force}"`
}

// maxSecret bounds what is read from stdin: no token is near this long, so
// more means the wrong thing was piped in.
const maxSecret = 64 << 10

// Run stores the value read from stdin at the path. The value never comes
// from the command line, where shell history and process listings keep it.
func (c *secretsSetCmd) Run(ctx context.Context, env *Env) error {
	p, err := secrets.ParsePath(c.Path)
	if err != nil {
		return &exitError{code: ExitUsage, err: pathHint(c.Path, err)}
	}
	nest, err := c.nest(env)
	if err != nil {
		return err
	}
	// The value is read, and masked, before anything else can fail: an
	// error message must never be the first to hold it.
	value, err := readSecret(env, p)
	if err != nil {
		return err
	}
	env.Redactor.Add(value)
	store, err := openNestStore(ctx, env, c.Dir, nest, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if nest != nil && !c.Force && !hasRecord(ctx, store, p.Unit) {
		// A unit the store already knows (a removed egg whose leftovers
		// apply still has to delete) may have its token replaced.
		if err := refuseUnknownUnit(nest, c.Dir, p); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
	}
	if !c.Force {
		if err := refuseManaged(ctx, store, p); err != nil {
			return err
		}
	}
	up := secrets.Update{Values: map[secrets.Type]string{p.Type: value}}
	if err := store.Write(ctx, p.Unit, up); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Stored %s in %s.\n", p, store)
	return nil
}

// nest loads the nest in --dir. Without HATCHERY_SECRETS it must load, as
// its settings choose the store. With it, a directory without .fly files,
// or whose nest has errors, gives nil: the path is then not checked.
func (c *secretsSetCmd) nest(env *Env) (*config.Nest, error) {
	if env.Getenv(secrets.EnvOverride) == "" {
		return loadNest(env, c.Dir)
	}
	files, _, err := config.Files(c.Dir)
	if err != nil || len(files) == 0 {
		// Without --dir, storing a token outside any nest is normal use.
		if c.Dir != "." {
			c.unchecked(env, "holds no .fly file")
		}
		return nil, nil
	}
	nest, diags := config.Load(c.Dir)
	if diags.HasErrors() {
		c.unchecked(env, "is not a valid nest ('hatchery validate' says why)")
		return nil, nil
	}
	return nest, nil
}

// unchecked says that the path could not be checked against a nest, so a
// typo in --dir does not silently turn the check off.
func (c *secretsSetCmd) unchecked(env *Env, why string) {
	if !c.Force {
		fmt.Fprintf(env.Stderr, "hatchery: warning: %s %s, so the path is not checked "+
			"against the nest's eggs; give the nest with --dir\n", c.Dir, why)
	}
}

// hasRecord reports whether the store holds a record for u.
func hasRecord(ctx context.Context, store secrets.Store, u secrets.Unit) bool {
	_, err := store.Read(ctx, u)
	return err == nil
}

// managedHints say, for each secret that apply writes, where the stored
// value came from and what apply does when it is lost.
var managedHints = map[secrets.Type]string{
	secrets.RunnerToken: "apply stored the runner's own token here, and nothing checks " +
		"a value set by hand; were it lost, apply would reset the runner's token and " +
		"store the new one",
	secrets.WebhookSecret: "apply generated it and set it on every hook; were it lost, " +
		"apply would generate a new one and set that on every hook",
}

// refuseManaged refuses to replace a runner-token or webhook-secret that is
// stored: apply wrote it, and GitLab holds its twin, so a new value silently
// breaks the pair. The api-token is a person's to replace.
func refuseManaged(ctx context.Context, store secrets.Store, p secrets.Path) error {
	hint, managed := managedHints[p.Type]
	if !managed {
		return nil
	}
	rec, err := store.Read(ctx, p.Unit)
	if errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s before replacing it: %w", p, err)
	}
	if _, stored := rec.Values[p.Type]; !stored {
		return nil
	}
	return withHint(fmt.Errorf("%s already holds a value that apply manages", p),
		"%s; to replace it anyway, run again with --force", hint)
}

func pathHint(arg string, err error) error {
	if !strings.HasPrefix(arg, "yc-lockbox:") {
		return withHint(err, "the argument is the secret's path, like "+
			"yc-lockbox://gitlab/gitlab.com/my-app/api-token; the value comes from stdin")
	}
	return withHint(err, "a path looks like yc-lockbox://gitlab/gitlab.com/my-app/api-token")
}

// readSecret reads one line from stdin: the secret, without its line end.
// A terminal is refused, as it would echo the secret.
func readSecret(env *Env, p secrets.Path) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && isTerminal(f) {
		return "", withHint(errors.New("the secret is read from stdin, and stdin is a terminal"),
			"type it unechoed with: read -rs SECRET && printf '%%s' \"$SECRET\" | "+
				"hatchery secrets set %s", p)
	}
	var data []byte
	if env.Stdin != nil {
		var err error
		data, err = io.ReadAll(io.LimitReader(env.Stdin, maxSecret+1))
		if err != nil {
			return "", fmt.Errorf("read the secret from stdin: %w", err)
		}
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	switch {
	case len(data) > maxSecret:
		return "", fmt.Errorf("stdin holds more than %d bytes: not a secret", maxSecret)
	case v == "":
		return "", withHint(errors.New("stdin is empty: no secret to store"),
			"pipe the value in: hatchery secrets set %s < FILE", p)
	case strings.ContainsAny(v, "\r\n"):
		return "", errors.New("stdin holds more than one line: a secret is one line")
	case len(v) < secrets.MinMaskLen:
		return "", fmt.Errorf("the secret is %s long; hatchery needs at least %d "+
			"to mask it in its output", plural(len(v), "character"), secrets.MinMaskLen)
	}
	return v, nil
}

// openNestStore opens the store that HATCHERY_SECRETS names or, without
// it, the one that the settings of nest, loaded from dir, name. A store
// opened for writing warns when git would take its file along.
func openNestStore(ctx context.Context, env *Env, dir string, nest *config.Nest,
	readOnly bool) (secrets.Store, error) {
	c := secrets.Config{Dir: dir, ReadOnly: readOnly, Logger: env.Logger}
	if nest != nil { // secrets.Open lets HATCHERY_SECRETS win over the settings
		sc := nest.Settings.Secrets
		c.Backend, c.FolderID, c.Path = sc.Backend, sc.FolderID, sc.Path
	}
	store, err := secrets.Open(ctx, c, env.Getenv)
	if err != nil {
		return nil, storeHint(fmt.Errorf("open secret store: %w", err))
	}
	if !readOnly {
		warnUnignored(env, store)
	}
	return store, nil
}

// warnUnignored warns when secrets are about to be written to a file that
// git would pick up: inside a work tree, named by no .gitignore.
func warnUnignored(env *Env, store secrets.Store) {
	fs, ok := store.(*secrets.FileStore)
	if !ok {
		return
	}
	if root := fs.UnignoredRepo(); root != "" {
		fmt.Fprintf(env.Stderr, "hatchery: warning: %s lies in the git work tree %s and no "+
			".gitignore names it; add it to .gitignore before a commit takes the secrets "+
			"along\n", fs, root)
	}
}

// storeHint adds the way out to an error about the store: credentials to
// set, or a local file instead.
func storeHint(err error) error {
	switch {
	case errors.Is(err, secrets.ErrNoCredentials):
		return withHint(err, "or set %s=file:PATH to keep the secrets in a local JSON file",
			secrets.EnvOverride)
	case secrets.GrantCommand(err) != "":
		return withHint(err, "grant the role with: %s", secrets.GrantCommand(err))
	}
	return err
}
