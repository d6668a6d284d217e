package plan

import (
	"encoding/json"
	"fmt"
	"io"
)

// JSON is the plan's form for machines. Its fields keep their names and
// meanings while FormatVersion stays the same: a field is only ever added.
// Lists are never null, so readers need not tell null from empty.
type JSON struct {
	FormatVersion string `json:"format_version"`
	// HatcheryVersion is the version of hatchery that made the plan.
	HatcheryVersion string      `json:"hatchery_version"`
	Summary         JSONSummary `json:"summary"`
	Units           []JSONUnit  `json:"units"`
}

// JSONUnit is a unit with its lists never null.
type JSONUnit struct {
	*Unit
	Targets []Target  `json:"targets"`
	Actions []*Action `json:"actions"`
}

// JSONSummary are the plan's totals: the summary line in numbers.
type JSONSummary struct {
	Units  int `json:"units"`
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
	// Errors counts the units that could not be planned.
	Errors int `json:"errors"`
	// Changes is whether applying the plan would change anything.
	Changes bool `json:"changes"`
}

// JSON returns the plan's machine form; version is hatchery's.
func (p *Plan) JSON(version string) *JSON {
	c := p.Counts()
	j := &JSON{FormatVersion: FormatVersion, HatcheryVersion: version,
		Summary: JSONSummary{Units: len(p.Units), Create: c.Create, Update: c.Update,
			Delete: c.Delete, Errors: p.Errors(), Changes: p.Changes()},
		Units: make([]JSONUnit, len(p.Units))}
	for i, u := range p.Units {
		j.Units[i] = JSONUnit{Unit: u, Targets: nonNil(u.Targets), Actions: nonNil(u.Actions)}
	}
	return j
}

// WriteJSON writes the plan's machine form, indented, on one document.
func (p *Plan) WriteJSON(w io.Writer, version string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p.JSON(version)); err != nil {
		return fmt.Errorf("write the plan as JSON: %w", err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
