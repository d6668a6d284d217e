package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

type secretsListCmd struct {
	Dir string `arg:"" optional:"" default:"." help:"The nest: every .fly file below DIR."`
}

// Run lists every secret path of the nest, whether the store holds it, and
// how to fill the ones a person must write. Values are never read out.
func (c *secretsListCmd) Run(ctx context.Context, env *Env) error {
	nest, state, err := loadState(env, c.Dir)
	if err != nil {
		return err
	}
	store, err := openNestStore(ctx, env, c.Dir, nest, true)
	if err != nil {
		return err
	}
	defer store.Close()
	var b strings.Builder
	var missing []secrets.Path
	width := 0
	for _, u := range state.Units {
		width = max(width, len(u.SecretPath(secrets.WebhookSecret).String()))
	}
	for _, u := range state.Units {
		rec, err := store.Read(ctx, u.Key())
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return fmt.Errorf("read secrets of %s: %w", u.Key(), err)
		}
		fmt.Fprintf(&b, "egg %s on %s\n", u.Egg, u.Server)
		for _, t := range secrets.Types {
			has := rec != nil && rec.Values[t] != ""
			fmt.Fprintf(&b, "  %-*s  %s\n", width, u.SecretPath(t), secretState(u, t, has))
			if t == secrets.APIToken && !has {
				missing = append(missing, u.SecretPath(t))
			}
		}
	}
	if err := listRemoved(ctx, store, state, &b); err != nil {
		return err
	}
	if len(missing) > 0 {
		b.WriteString("\nStore each missing api-token (a GitLab token with the api scope) with:\n")
		for _, p := range missing {
			fmt.Fprintf(&b, "  hatchery secrets set %s < token.txt\n", p)
		}
	}
	fmt.Fprint(env.Stdout, b.String())
	return nil
}

func secretState(u *desired.Unit, t secrets.Type, has bool) string {
	switch {
	case has:
		return "present"
	case t == secrets.APIToken:
		return "missing: a person stores it"
	case t == secrets.WebhookSecret && u.Webhook == nil:
		return "not needed: no webhook"
	case t == secrets.WebhookSecret:
		return "missing: apply generates it"
	}
	return "missing: apply stores it with the runner"
}

// listRemoved lists the records of eggs gone from the nest: apply
// --allow-delete removes what apply made, and never the api-token a person
// stored, which stays until someone deletes it from the store.
func listRemoved(ctx context.Context, store secrets.Store, state *desired.State,
	b *strings.Builder) error {
	inNest := map[secrets.Unit]bool{}
	for _, u := range state.Units {
		inNest[u.Key()] = true
	}
	units, err := store.List(ctx)
	if err != nil {
		return fmt.Errorf("list secret records in %s: %w", store, err)
	}
	for _, k := range units {
		if inNest[k] || k.Egg == config.NoteTokenEgg {
			continue
		}
		rec, err := store.Read(ctx, k)
		if err != nil {
			return fmt.Errorf("read secrets of %s: %w", k, err)
		}
		fmt.Fprintf(b, "egg %s on %s (removed from the nest)\n", k.Egg, k.Server)
		for _, t := range secrets.Types {
			if rec.Values[t] == "" {
				continue
			}
			why := "present: apply --allow-delete removes it"
			if t == secrets.APIToken {
				why = "present: stored by a person; hatchery keeps it, delete it by hand " +
					"when it is no longer needed"
			}
			fmt.Fprintf(b, "  %s  %s\n", k.Path(t), why)
		}
	}
	return nil
}
