package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// textPlan is a plan with every kind of unit and action the text shows.
func textPlan() *Plan {
	hookChanges := []Change{{"events", "[job]", "[job, pipeline]"},
		{"secret", "fingerprint 0123456789ab", "fingerprint ba9876543210"}}
	return &Plan{FormatVersion: FormatVersion, Units: []*Unit{
		{Egg: "api", Server: "gitlab.com", Kind: "project", Source: "eggs/api.fly:1",
			Actions: []*Action{
				{Op: OpGenerate, Object: ObjSecret, Secret: "webhook-secret",
					Reason: "32 random bytes, stored before any hook uses it"},
				{Op: OpCreate, Object: ObjRunner, Changes: []Change{
					{Field: "description", New: "api [hatchery:api]"},
					{Field: "tags", New: "[docker]"},
				}},
				{Op: OpCreate, Object: ObjHook, ProjectID: 100, Project: "acme/api",
					Changes: []Change{{Field: "url", New: "https://fleet.example.com/hook"}}},
			}},
		{Egg: "builds", Server: "gitlab.com", Kind: "bucket", Source: "eggs/builds.fly:3",
			Warnings: []string{"runner 42 stays enabled on project 300"},
			Skipped: []Skipped{{ID: 400, Path: "acme/old", Reason: "archived"},
				{ID: 401, Path: "acme/sandbox", Reason: `excluded by "acme/sand*"`}},
			Actions: []*Action{
				{Op: OpUpdate, Object: ObjRunner, RunnerID: 42,
					Changes: []Change{{"tags", "[docker]", "[docker, linux]"}}},
				{Op: OpReset, Object: ObjRunner, RunnerID: 42,
					Reason: "the runner-token is missing from the secret store"},
				{Op: OpEnable, Object: ObjRunner, RunnerID: 42, ProjectID: 200,
					Project: "acme/web"},
				{Op: OpDisable, Object: ObjRunner, RunnerID: 42, ProjectID: 300,
					Reason: "no longer a target of the egg"},
				{Op: OpUpdate, Object: ObjHook, HookID: 7, ProjectID: 100,
					Project: "acme/api", Changes: hookChanges},
				{Op: OpUpdate, Object: ObjHook, HookID: 8, ProjectID: 200,
					Project: "acme/web", Changes: hookChanges},
			}},
		{Egg: "quiet", Server: "gitlab.com", Kind: "project", Source: "eggs/quiet.fly:1"},
		{Egg: "many", Server: "gitlab.com", Kind: "group", Source: "eggs/many.fly:1",
			Skipped: []Skipped{{ID: 1, Path: "a/1", Reason: "archived"},
				{ID: 2, Path: "a/2", Reason: "archived"}, {ID: 3, Path: "a/3", Reason: "archived"},
				{ID: 4, Path: "a/4", Reason: "covered by egg api"}},
			Actions: []*Action{{Op: OpCreate, Object: ObjRunner,
				Changes: []Change{{Field: "locked", New: "false"}}}}},
		{Egg: "team", Server: "gitlab.company.com", Kind: "group", Source: "eggs/team.fly:2",
			Error: "no api-token at yc-lockbox://gitlab/gitlab.company.com/team/api-token; " +
				"store one with: hatchery secrets set " +
				"yc-lockbox://gitlab/gitlab.company.com/team/api-token"},
		{Egg: "old", Server: "gitlab.com", Removed: true,
			Warnings: []string{"runner 5 no longer carries the marker of egg old"},
			Actions: []*Action{
				{Op: OpDelete, Object: ObjHook, HookID: 9, ProjectID: 101,
					Reason: "the egg is gone from the nest"},
				{Op: OpDisable, Object: ObjRunner, RunnerID: 5, ProjectID: 101},
				{Op: OpDelete, Object: ObjRunner, RunnerID: 5},
				{Op: OpForget, Object: ObjSecret,
					Reason: "the egg is gone from the nest; its secret record goes last"},
			}},
	}}
}

func TestWriteText(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		style  func() Style
	}{
		{"plain", "text_plain.txt", func() Style { return Style{} }},
		{"styled", "text_styled.txt", TerminalStyle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The colour profile is fixed so that the golden does not
			// depend on the terminal that runs the test.
			prev := lipgloss.ColorProfile()
			lipgloss.SetColorProfile(termenv.ANSI)
			t.Cleanup(func() { lipgloss.SetColorProfile(prev) })
			var b bytes.Buffer
			if err := textPlan().WriteText(&b, tt.style()); err != nil {
				t.Fatal(err)
			}
			textGolden(t, tt.golden, b.String())
		})
	}
}

func TestWriteTextNoChanges(t *testing.T) {
	p := &Plan{FormatVersion: FormatVersion, Units: []*Unit{
		{Egg: "quiet", Server: "gitlab.com", Kind: "project"}}}
	var b strings.Builder
	if err := p.WriteText(&b, Style{}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "No changes.\n" {
		t.Errorf("text = %q", got)
	}
}

func TestStyledTextIsPlainTextWithColour(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	var plain, styled bytes.Buffer
	if err := textPlan().WriteText(&plain, Style{}); err != nil {
		t.Fatal(err)
	}
	if err := textPlan().WriteText(&styled, TerminalStyle()); err != nil {
		t.Fatal(err)
	}
	if plain.String() == styled.String() {
		t.Fatal("styled text has no colour")
	}
	if got := stripANSI(styled.String()); got != plain.String() {
		t.Errorf("styled text without colour differs from plain text:\n%s", got)
	}
}

// stripANSI removes SGR escape sequences.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// textGolden compares got with testdata/name; HATCHERY_UPDATE=1 rewrites it.
func textGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("HATCHERY_UPDATE") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; HATCHERY_UPDATE=1 writes it", err)
	}
	if got != string(want) {
		t.Errorf("text differs from %s (HATCHERY_UPDATE=1 rewrites it):\n%s", path, got)
	}
}
