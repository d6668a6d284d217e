package main

import (
	"io"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitlab.com/hatchery/hatchery/internal/cli"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// scriptCmds holds the extra script commands (simulators and the like); files
// beside this one register theirs in init.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}

// finish ends a script command that returned err: "! cmd" wants an error,
// "cmd" wants none.
func finish(ts *testscript.TestScript, neg bool, cmd string, err error) {
	switch {
	case neg && err == nil:
		ts.Fatalf("%s: unexpected success", cmd)
	case !neg && err != nil:
		ts.Fatalf("%v", err)
	case err != nil:
		ts.Logf("%v", err)
	}
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hatchery": hatchery,
	})
}

// hatchery is the command the scripts run: the real one, with a copy of
// its output kept for the leak check.
func hatchery() {
	env := cli.OSEnv()
	if path := os.Getenv(transcriptVar); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		env.Stdout = io.MultiWriter(env.Stdout, f)
		env.Stderr = io.MultiWriter(env.Stderr, f)
	}
	code := cli.Main(os.Args[1:], env)
	os.Exit(code)
}

// TestScripts runs the golden scripts in testdata/script against the real
// binary. HATCHERY_UPDATE=1 rewrites the expected outputs in place.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("../../testdata/script"))
}

func scriptParams(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Cmds:                scriptCmds,
		UpdateScripts:       os.Getenv("HATCHERY_UPDATE") == "1",
		Setup: func(e *testscript.Env) error {
			// Scripts must not see the developer's terminal settings or
			// overrides; each one sets what it needs.
			blank := []string{"NO_COLOR", "HATCHERY_SECRETS",
				"HATCHERY_SERVER_URLS", "HATCHERY_DEBUG"}
			for _, k := range append(blank, secrets.EnvLockbox...) {
				e.Setenv(k, "")
			}
			checkLeaks(e)
			checkBinding(e)
			return nil
		},
	}
}
