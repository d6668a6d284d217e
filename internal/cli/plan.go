package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/plan"
)

type planCmd struct {
	Dir              string `arg:"" optional:"" default:"." help:"${plan_dir}"`
	Format           string `enum:"text,markdown,json" default:"text" help:"${plan_format}"`
	DetailedExitcode bool   `help:"Exit 2 when the plan has changes, 0 when it has none."`
	Out              string `placeholder:"FILE" help:"${plan_out}"`
	JSON             string `name:"json" placeholder:"FILE" help:"${plan_json}"`
	Widget           string `placeholder:"FILE" help:"${plan_widget}"`
	MRNote           bool   `name:"mr-note" help:"${plan_mr_note}"`
	gitlabFlags
}

// Run plans and prints the plan. Planning is read-only: the secret store is
// opened for reading and GitLab only sees GET requests.
func (c *planCmd) Run(ctx context.Context, env *Env) error {
	s, err := openSession(ctx, env, c.Dir, true, c.gitlabFlags)
	if err != nil {
		return err
	}
	defer s.close()
	p, err := s.planner().Plan(ctx, s.state)
	if err := planned(ctx, err); err != nil {
		return err
	}
	if err := writePlan(env, p, c.Format); err != nil {
		return err
	}
	if err := c.writeArtifacts(s, p); err != nil {
		return err
	}
	if c.MRNote {
		postNote(ctx, s, p, c.Dir)
	}
	return planOutcome(p, c.DetailedExitcode)
}

// writeArtifacts writes the files the flags ask for, every one masked.
func (c *planCmd) writeArtifacts(s *session, p *plan.Plan) error {
	if c.Out != "" {
		if err := savePlan(s, p, c.Out); err != nil {
			return err
		}
	}
	if c.JSON != "" {
		write := func(w io.Writer) error { return p.WriteJSON(w, version()) }
		if err := writeMasked(s.env, c.JSON, write); err != nil {
			return err
		}
	}
	if c.Widget != "" {
		return writeWidget(s.env, p, c.Widget)
	}
	return nil
}

// writeMasked writes a file through the redactor, whole or not at all.
func writeMasked(env *Env, path string, write func(io.Writer) error) error {
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(env.Redactor.Mask(b.String())), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writePlan(env *Env, p *plan.Plan, format string) error {
	switch format {
	case "json":
		return p.WriteJSON(env.Stdout, version())
	case "markdown":
		_, err := io.WriteString(env.Stdout, p.Markdown(plan.MarkdownOptions{}))
		return err
	}
	st := plan.Style{}
	if env.Color(env.StdoutTTY) {
		st = plan.TerminalStyle()
	}
	return p.WriteText(env.Stdout, st)
}

// planOutcome is the exit of a plan: 1 when a unit could not be planned,
// else 2 for changes under --detailed-exitcode.
func planOutcome(p *plan.Plan, detailed bool) error {
	if n := p.Errors(); n > 0 {
		hint := "each unit's error above says what it needs; the other units were planned"
		if n == len(p.Units) {
			hint = "each unit's error above says what it needs; no unit was planned"
		}
		return withHint(fmt.Errorf("%s could not be planned", ofTotal(n, len(p.Units), "unit")),
			"%s", hint)
	}
	if detailed && p.Changes() {
		return exitCode(ExitChanges)
	}
	return nil
}
