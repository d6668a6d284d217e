package templates

import (
	"fmt"
	"strings"
)

// Full is the component that holds every job and every input.
const Full = "full-pipeline"

// pipelineOrder is the order of the other components in a pipeline.
var pipelineOrder = []string{"validate", "plan", "apply", "drift"}

// InputTable renders the README's table of inputs: every input of the full
// pipeline in its order, with the other components that take it.
func InputTable(cs []*Component) (string, error) {
	byName := map[string]*Component{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	full := byName[Full]
	if full == nil {
		return "", fmt.Errorf("no %s template", Full)
	}
	var b strings.Builder
	b.WriteString("| input | type | default | in | description |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, in := range full.Inputs {
		var names []string
		for _, name := range pipelineOrder {
			if c := byName[name]; c != nil {
				if _, ok := c.Input(in.Name); ok {
					names = append(names, name)
				}
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", in.Name, in.Type,
			defaultCell(in), strings.Join(names, ", "), cell(in.Description))
	}
	return b.String(), nil
}

func defaultCell(in Input) string {
	switch {
	case !in.HasDefault:
		return "required"
	case in.Default == nil || in.Default == "":
		return "empty"
	}
	return "`" + fmt.Sprint(in.Default) + "`"
}

// cell puts text on one line of a Markdown table.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}
