// Package cli is hatchery's command line: one file per command, and the one
// place where an outcome becomes an exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/alecthomas/kong"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// Exit codes. The README lists them; scripts rely on them.
const (
	ExitOK      = 0  // done; with --detailed-exitcode also "no changes"
	ExitError   = 1  // something failed
	ExitChanges = 2  // plan has changes (only with --detailed-exitcode)
	ExitInvalid = 3  // the nest has errors
	ExitUsage   = 64 // the command line itself is wrong (BSD EX_USAGE)
)

// Env is what a command may touch of the outside world. Commands never use
// os.Stdout or os.Getenv directly, so tests can run them in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StdoutTTY and StderrTTY say whether styling may be used.
	StdoutTTY bool
	StderrTTY bool
	// Redactor masks every secret in what reaches Stdout and Stderr; a
	// command registers each secret it reads or makes before using it.
	Redactor *secrets.Redactor
	// Logger takes debug records; it discards them unless asked not to.
	Logger *slog.Logger
}

// OSEnv is the Env of a real process.
func OSEnv() *Env {
	return &Env{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		Getenv:    os.Getenv,
		StdoutTTY: isTerminal(os.Stdout),
		StderrTTY: isTerminal(os.Stderr),
	}
}

// Color reports whether output to a stream that is a terminal (tty) may be
// styled: only on a terminal, and never when NO_COLOR is set.
func (e *Env) Color(tty bool) bool {
	return tty && e.Getenv("NO_COLOR") == ""
}

type app struct {
	Validate validateCmd `cmd:"" help:"Check the nest: every problem, with its place."`
	Fmt      fmtCmd      `cmd:"" help:"Rewrite .fly files in canonical form."`
	Plan     planCmd     `cmd:"" help:"${cmd_plan}"`
	Apply    applyCmd    `cmd:"" help:"Make GitLab and the secret store match the nest."`
	Targets  targetsCmd  `cmd:"" help:"${cmd_targets}"`
	Secrets  secretsCmd  `cmd:"" help:"Store the secrets of the nest's units."`
	Demo     demoCmd     `cmd:"" help:"${cmd_demo}"`
	Version  versionCmd  `cmd:"" help:"Print hatchery's version."`

	LogLevel string `enum:"info,debug" default:"info" help:"${log_level}"`
}

// Main runs hatchery with the arguments after the program name and returns the
// process exit code.
func Main(args []string, env *Env) int {
	env, flush := env.masked()
	defer flush()
	sigctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var applying atomic.Bool // the command lets actions in flight finish
	context.AfterFunc(sigctx, func() { secondSignalEnds(sigctx, stop, env, applying.Load()) })
	var cli app
	exit := -1
	k, err := kong.New(&cli,
		kong.Name("hatchery"),
		kong.Description("GitOps for GitLab runners: plan and apply the runners, "+
			"webhooks and secrets that a nest of .fly files declares."),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { exit = code }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		helpTexts,
		kong.Bind(env),
		kong.BindTo(sigctx, (*context.Context)(nil)),
	)
	if err != nil {
		panic(err) // the grammar above is wrong: a programming error
	}
	ctx, err := k.Parse(args)
	if exit >= 0 { // --help or a version flag asked kong to exit
		return exit
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "hatchery: error: %v\n", err)
		fmt.Fprintf(env.Stderr, "hatchery: hint: %s\n", usageHint(err))
		return ExitUsage
	}
	env.Logger = env.logger(cli.LogLevel)
	applying.Store(strings.HasPrefix(ctx.Command(), "apply"))
	return report(env, ctx.Run())
}

// secondSignalEnds follows the first interrupt or SIGTERM: hatchery lets
// an apply's actions in flight finish, and gives the signals back their default
// action, so a second one ends it at once.
func secondSignalEnds(sigctx context.Context, stop func(), env *Env, applying bool) {
	if context.Cause(sigctx) == context.Canceled {
		return // Main is returning, no signal came
	}
	stop()
	if applying {
		fmt.Fprintln(env.Stderr, "hatchery: interrupted: an apply lets its actions in "+
			"flight finish; interrupt again to stop at once")
	}
}

// masked returns a copy of env whose output goes through a redactor, and a
// function that writes out what the redactor still holds back.
func (e *Env) masked() (*Env, func()) {
	m := *e
	if m.Redactor == nil {
		m.Redactor = &secrets.Redactor{}
	}
	out, errw := m.Redactor.Writer(e.Stdout), m.Redactor.Writer(e.Stderr)
	m.Stdout, m.Stderr = out, errw
	return &m, func() { out.Close(); errw.Close() }
}

// report prints err once, with its hint, and turns it into an exit code.
func report(env *Env, err error) int {
	if err == nil {
		return ExitOK
	}
	var ex *exitError
	if errors.As(err, &ex) && ex.err == nil {
		return ex.code // already reported by the command
	}
	fmt.Fprintf(env.Stderr, "hatchery: error: %v\n", err)
	var h *hintError
	if errors.As(err, &h) {
		fmt.Fprintf(env.Stderr, "hatchery: hint: %s\n", h.hint)
	}
	if errors.As(err, &ex) {
		return ex.code
	}
	return ExitError
}

// exitError carries an exit code other than ExitError. With a nil err the
// command has already said everything it had to say.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitCode returns an error that makes Main exit with code, having printed
// nothing more.
func exitCode(code int) error { return &exitError{code: code} }

// hintError adds a line that tells the user what to do about err.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

// withHint attaches a hint to err.
func withHint(err error, format string, args ...any) error {
	return &hintError{err: err, hint: fmt.Sprintf(format, args...)}
}
