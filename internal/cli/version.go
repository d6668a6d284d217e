package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is stamped at link time:
//
//	-ldflags "-X gitlab.com/hatchery/hatchery/internal/cli.Version=v1.2.3"
var Version = ""

type versionCmd struct{}

func (versionCmd) Run(env *Env) error {
	fmt.Fprintf(env.Stdout, "hatchery %s %s/%s %s\n",
		version(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	return nil
}

// version is the stamped version, else the module version the binary was
// built from, else "devel".
func version() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
