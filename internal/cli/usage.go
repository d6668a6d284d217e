package cli

import (
	"errors"
	"fmt"

	"github.com/alecthomas/kong"
)

// usageHint points at the help of the command that the arguments reached,
// `hatchery secrets set --help` rather than the whole program's.
func usageHint(err error) string {
	cmd := "hatchery"
	var pe *kong.ParseError
	if errors.As(err, &pe) && pe.Context != nil {
		for _, p := range pe.Context.Path {
			if p.Command != nil {
				cmd += " " + p.Command.Name
			}
		}
	}
	return fmt.Sprintf("run '%s --help' for usage", cmd)
}
