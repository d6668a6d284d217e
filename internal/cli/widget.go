package cli

import (
	"encoding/json"
	"maps"
	"os"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/plan"
)

// writeWidget writes GitLab's terraform report for the merge request
// widget, or, when a unit could not be planned, writes none and says so:
// the widget would show counts that leave the failed units out. An earlier
// report at path is then removed; another file there is left alone.
func writeWidget(env *Env, p *plan.Plan, path string) error {
	if n := p.Errors(); n > 0 {
		w := withheld{name: "terraform report", short: "report", is: isWidgetReport}
		return withhold(env, w, path, n)
	}
	return writeMasked(env, path, p.WriteWidget)
}

// isWidgetReport reports whether the file at path is a terraform report as
// writeWidget writes it: a JSON object of exactly create, update and delete.
func isWidgetReport(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var counts map[string]int
	if json.Unmarshal(data, &counts) != nil {
		return false
	}
	keys := slices.Sorted(maps.Keys(counts))
	return slices.Equal(keys, []string{"create", "delete", "update"})
}
