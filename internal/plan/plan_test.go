package plan

import (
	"testing"
)

func TestActionKind(t *testing.T) {
	tests := []struct {
		op   Op
		kind string
	}{
		{OpGenerate, "create"},
		{OpCreate, "create"},
		{OpEnable, "create"},
		{OpUpdate, "update"},
		{OpReset, "update"},
		{OpDisable, "delete"},
		{OpDelete, "delete"},
		{OpForget, "delete"},
	}
	for _, tt := range tests {
		t.Run(string(tt.op), func(t *testing.T) {
			if got := (&Action{Op: tt.op}).Kind(); got != tt.kind {
				t.Errorf("Kind = %q, want %q", got, tt.kind)
			}
		})
	}
}

func TestCountsAndSummary(t *testing.T) {
	acts := func(ops ...Op) []*Action {
		var out []*Action
		for _, op := range ops {
			out = append(out, &Action{Op: op})
		}
		return out
	}
	tests := []struct {
		name    string
		units   []*Unit
		counts  Counts
		errors  int
		summary string
	}{
		{
			name:    "empty plan",
			summary: "No changes.",
		},
		{
			name:    "units without actions",
			units:   []*Unit{{Egg: "a"}, {Egg: "b", Warnings: []string{"w"}}},
			summary: "No changes.",
		},
		{
			name: "every kind, across units",
			units: []*Unit{
				{Egg: "a", Actions: acts(OpGenerate, OpCreate, OpEnable, OpEnable)},
				{Egg: "b", Actions: acts(OpUpdate, OpReset, OpDisable)},
				{Egg: "c", Removed: true, Actions: acts(OpDelete, OpDelete, OpForget)},
			},
			counts:  Counts{Create: 4, Update: 2, Delete: 4},
			summary: "Plan: 4 to create, 2 to update, 4 to delete.",
		},
		{
			name: "one unit could not be planned",
			units: []*Unit{
				{Egg: "a", Actions: acts(OpUpdate)},
				{Egg: "b", Error: "no api-token"},
			},
			counts:  Counts{Update: 1},
			errors:  1,
			summary: "Plan: 0 to create, 1 to update, 0 to delete. 1 unit could not be planned.",
		},
		{
			name:    "nothing could be planned",
			units:   []*Unit{{Egg: "a", Error: "x"}, {Egg: "b", Error: "y"}},
			errors:  2,
			summary: "Plan incomplete: 2 units could not be planned.",
		},
		{
			name:    "a unit alone could not be planned",
			units:   []*Unit{{Egg: "a", Error: "x"}, {Egg: "b"}},
			errors:  1,
			summary: "Plan incomplete: 1 unit could not be planned.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{FormatVersion: FormatVersion, Units: tt.units}
			if got := p.Counts(); got != tt.counts {
				t.Errorf("Counts = %+v, want %+v", got, tt.counts)
			}
			if got, want := p.Changes(), tt.counts != (Counts{}); got != want {
				t.Errorf("Changes = %v, want %v", got, want)
			}
			if got := p.Errors(); got != tt.errors {
				t.Errorf("Errors = %d, want %d", got, tt.errors)
			}
			if got := p.Summary(); got != tt.summary {
				t.Errorf("Summary = %q, want %q", got, tt.summary)
			}
		})
	}
}
