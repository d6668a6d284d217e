// Package templates holds hatchery's CI/CD catalog component: one YAML file
// per component, each a `spec: inputs:` header and a body of jobs, as GitLab
// reads them from a component project's templates/ directory. The package
// parses them so that tests can check their inputs and jobs, and renders the
// README's table of inputs.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed *.yml
var files embed.FS

// Component is one template: its name (the file name without .yml, as
// users write it after the project path in `include: component:`), its
// inputs in file order, and its body with the interpolation left in.
type Component struct {
	Name   string
	Inputs []Input
	// Context lists the `spec: component:` fields the body may use, such
	// as "version".
	Context []string
	body    string
}

// Input is one entry of a component's `spec: inputs:`.
type Input struct {
	Name        string
	Type        string // string, number, boolean or array; GitLab's default is string
	Description string
	Default     any // nil when the input has no default
	HasDefault  bool
	Options     []any
}

// Load parses every template of the component, sorted by name.
func Load() ([]*Component, error) {
	names, err := fs.Glob(files, "*.yml")
	if err != nil {
		return nil, err
	}
	var out []*Component
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		c, err := Parse(strings.TrimSuffix(path.Base(name), ".yml"), data)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Parse reads a template: a header document with `spec:`, a `---` line,
// and the body.
func Parse(name string, data []byte) (*Component, error) {
	header, body, ok := bytes.Cut(data, []byte("\n---\n"))
	if !ok {
		return nil, fmt.Errorf("no '---' line between the spec header and the jobs")
	}
	var doc struct {
		Spec struct {
			Component []string  `yaml:"component"`
			Inputs    yaml.Node `yaml:"inputs"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(header))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("spec header: %w", err)
	}
	inputs, err := parseInputs(&doc.Spec.Inputs)
	if err != nil {
		return nil, err
	}
	return &Component{Name: name, Inputs: inputs, Context: doc.Spec.Component,
		body: string(body)}, nil
}

// parseInputs reads the inputs mapping in file order.
func parseInputs(n *yaml.Node) ([]Input, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: spec.inputs is not a mapping", n.Line)
	}
	var out []Input
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		var raw struct {
			Type        string `yaml:"type"`
			Description string `yaml:"description"`
			Default     any    `yaml:"default"`
			Options     []any  `yaml:"options"`
			Regex       string `yaml:"regex"`
		}
		if err := val.Decode(&raw); err != nil {
			return nil, fmt.Errorf("input %s: %w", key.Value, err)
		}
		in := Input{Name: key.Value, Type: raw.Type, Description: raw.Description,
			Default: raw.Default, Options: raw.Options}
		if in.Type == "" {
			in.Type = "string"
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			if val.Content[j].Value == "default" {
				in.HasDefault = true
			}
		}
		out = append(out, in)
	}
	return out, nil
}

// Input returns the input called name, or false.
func (c *Component) Input(name string) (Input, bool) {
	for _, in := range c.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}
