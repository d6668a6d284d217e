// Command hatchery is GitOps for GitLab runners: it plans and applies the
// runners, webhooks and secrets that a nest of .fly files declares.
package main

import (
	"os"

	"gitlab.com/hatchery/hatchery/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.OSEnv()))
}
