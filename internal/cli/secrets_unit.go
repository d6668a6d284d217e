package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"

	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// refuseUnknownUnit refuses a path whose unit (server, egg) the nest does
// not have: a typo would store a record that the plan then shows as a
// removed egg. The note token's path is always allowed.
func refuseUnknownUnit(nest *config.Nest, dir string, p secrets.Path) error {
	if p.Egg == config.NoteTokenEgg && p.Type == secrets.APIToken {
		return nil
	}
	state := desired.Compile(nest)
	for _, u := range state.Units {
		if u.Key() == p.Unit {
			return nil
		}
	}
	err := fmt.Errorf("%s: the nest in %s has no egg %s on %s", p, dir, p.Egg, p.Server)
	if sug := suggestUnits(state, p); len(sug) > 0 {
		paths := make([]string, len(sug))
		for i, u := range sug {
			paths[i] = u.Path(p.Type).String()
		}
		return withHint(err, "did you mean %s? With --force it is stored anyway",
			strings.Join(paths, " or "))
	}
	return withHint(err, "'hatchery secrets %s' lists every path of the nest; "+
		"with --force it is stored anyway", dir)
}

// suggestUnits returns the units p most likely meant: the egg of that name
// on the servers that have it, else the closest egg name on p's server.
func suggestUnits(state *desired.State, p secrets.Path) []secrets.Unit {
	var sameEgg, onServer []secrets.Unit
	for _, u := range state.Units {
		switch {
		case u.Egg == p.Egg:
			sameEgg = append(sameEgg, u.Key())
		case u.Server == p.Server:
			onServer = append(onServer, u.Key())
		}
	}
	if len(sameEgg) > 0 {
		slices.SortFunc(sameEgg, func(a, b secrets.Unit) int {
			return strings.Compare(a.Server, b.Server)
		})
		return sameEgg
	}
	best, bestDist := secrets.Unit{}, 3
	for _, u := range onServer {
		if d := levenshtein.Distance(p.Egg, u.Egg, nil); d < bestDist {
			best, bestDist = u, d
		}
	}
	if best.Egg == "" {
		return nil
	}
	return []secrets.Unit{best}
}
