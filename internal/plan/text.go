package plan

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Style colours the terminal form of a plan. The zero Style is plain text.
type Style struct {
	Create, Update, Delete, Heading, Faint lipgloss.Style
}

// TerminalStyle is the Style for a terminal that takes colour.
func TerminalStyle() Style {
	return Style{
		Create:  lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		Update:  lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		Delete:  lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		Heading: lipgloss.NewStyle().Bold(true),
		Faint:   lipgloss.NewStyle().Faint(true),
	}
}

// WriteText writes the plan for people: unit by unit, each action with the
// fields it changes, then the summary line.
func (p *Plan) WriteText(w io.Writer, st Style) error {
	var b strings.Builder
	for _, u := range p.Units {
		if u.Error == "" && len(u.Actions) == 0 && len(u.Warnings) == 0 {
			continue
		}
		u.writeText(&b, st)
		b.WriteString("\n")
	}
	b.WriteString(st.Heading.Render(p.Summary()))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the last line of a plan. A plan with units that could not be
// planned never says "No changes.": their changes are unknown.
func (p *Plan) Summary() string {
	c := p.Counts()
	n := p.Errors()
	failed := fmt.Sprintf("%d %s could not be planned.", n, plural(n, "unit", "units"))
	switch {
	case c.Create+c.Update+c.Delete == 0 && n > 0:
		return "Plan incomplete: " + failed
	case c.Create+c.Update+c.Delete == 0:
		return "No changes."
	}
	s := fmt.Sprintf("Plan: %d to create, %d to update, %d to delete.",
		c.Create, c.Update, c.Delete)
	if n > 0 {
		s += " " + failed
	}
	return s
}

func (u *Unit) writeText(b *strings.Builder, st Style) {
	fmt.Fprintf(b, "%s\n", st.Heading.Render(u.heading()))
	if u.Error != "" {
		fmt.Fprintf(b, "  %s %s\n", st.Delete.Render("error:"), u.Error)
	}
	for _, w := range u.Warnings {
		fmt.Fprintf(b, "  %s %s\n", st.Update.Render("warning:"), w)
	}
	if line := u.skippedLine(); line != "" {
		fmt.Fprintf(b, "  %s\n", st.Faint.Render(line))
	}
	shown := shownChanges{}
	for _, a := range u.Actions {
		line := fmt.Sprintf("  %s %s", a.sign(), a.Title())
		fmt.Fprintln(b, a.style(st).Render(line))
		if a.Reason != "" {
			fmt.Fprintf(b, "      %s\n", st.Faint.Render("("+a.Reason+")"))
		}
		if shown.repeat(a) {
			continue
		}
		for _, c := range a.Changes {
			fmt.Fprintf(b, "      %s\n", c.text())
		}
	}
}

// shownChanges remembers the hook changes a unit's listing has shown:
// hooks of one unit change alike on every target, so their fields are
// shown once, not once per project.
type shownChanges map[string]bool

// repeat reports whether a is a hook action whose changes were shown
// already, and remembers them otherwise.
func (s shownChanges) repeat(a *Action) bool {
	key := fmt.Sprint(a.Op, a.Object, a.Changes)
	if a.Object == ObjHook && s[key] {
		return true
	}
	s[key] = true
	return false
}

// skippedLine sums up the projects that discovery left out.
func (u *Unit) skippedLine() string {
	if len(u.Skipped) == 0 {
		return ""
	}
	if len(u.Skipped) <= 3 {
		parts := make([]string, len(u.Skipped))
		for i, s := range u.Skipped {
			parts[i] = fmt.Sprintf("%s (%s)", s.Path, s.Reason)
		}
		return "skipped: " + strings.Join(parts, ", ")
	}
	return fmt.Sprintf("skipped: %d projects; hatchery targets lists them with reasons",
		len(u.Skipped))
}

func (u *Unit) heading() string {
	switch {
	case u.Removed:
		return fmt.Sprintf("egg %s on %s (removed from the nest)", u.Egg, u.Server)
	case u.Source != "":
		return fmt.Sprintf("egg %s on %s (%s, %s)", u.Egg, u.Server, u.Kind, u.Source)
	}
	return fmt.Sprintf("egg %s on %s", u.Egg, u.Server)
}

// sign marks an action as a diff line does: + create, ~ update, - delete.
func (a *Action) sign() string {
	switch a.Kind() {
	case "create":
		return "+"
	case "update":
		return "~"
	}
	return "-"
}

// style is the colour of the action's sign.
func (a *Action) style(st Style) lipgloss.Style {
	switch a.Kind() {
	case "create":
		return st.Create
	case "update":
		return st.Update
	}
	return st.Delete
}

// Title names what the action does to which object, in a few words.
func (a *Action) Title() string {
	runner := "runner"
	if a.RunnerID != 0 {
		runner = fmt.Sprintf("runner %d", a.RunnerID)
	}
	switch {
	case a.Object == ObjSecret && a.Op == OpGenerate:
		return fmt.Sprintf("generate secret %s", a.Secret)
	case a.Object == ObjSecret && a.Op == OpForget:
		return "forget secret record"
	case a.Object == ObjRunner && a.Op == OpEnable:
		return fmt.Sprintf("enable %s on %s", runner, projectName(a))
	case a.Object == ObjRunner && a.Op == OpDisable:
		return fmt.Sprintf("disable %s on %s", runner, projectName(a))
	case a.Object == ObjRunner && a.Op == OpReset:
		return fmt.Sprintf("reset token of %s", runner)
	case a.Object == ObjRunner:
		return fmt.Sprintf("%s %s", a.Op, runner)
	}
	return fmt.Sprintf("%s %s", a.Op, hookSummary(a))
}

func projectName(a *Action) string {
	if a.Project == "" {
		return fmt.Sprintf("project %d", a.ProjectID)
	}
	return fmt.Sprintf("%s (%d)", a.Project, a.ProjectID)
}

func (c Change) text() string {
	if c.Old == "" {
		return fmt.Sprintf("%s: %s", c.Field, c.New)
	}
	return fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
