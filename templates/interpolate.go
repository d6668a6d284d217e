package templates

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Job is the part of a GitLab CI job that the templates use. Decoding is
// strict: a keyword missing here is an error, so a typo in a template
// fails the tests instead of being ignored.
type Job struct {
	Stage         string           `yaml:"stage"`
	Image         Image            `yaml:"image"`
	Needs         []Need           `yaml:"needs"`
	Interruptible *bool            `yaml:"interruptible"`
	ResourceGroup string           `yaml:"resource_group"`
	Environment   *Environment     `yaml:"environment"`
	IDTokens      map[string]IDTok `yaml:"id_tokens"`
	Variables     Vars             `yaml:"variables"`
	Rules         []Rule           `yaml:"rules"`
	AllowFailure  *AllowFailure    `yaml:"allow_failure"`
	Script        []string         `yaml:"script"`
	Artifacts     *Artifacts       `yaml:"artifacts"`
}

// Vars are a job's or a rule's variables. GitLab takes strings (and
// numbers); a value that YAML reads as anything else, such as an unquoted
// interpolated boolean, is refused here.
type Vars map[string]string

// UnmarshalYAML refuses values that are not strings.
func (v *Vars) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: variables are not a mapping", n.Line)
	}
	*v = Vars{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if val.Kind != yaml.ScalarNode || val.Tag != "!!str" {
			return fmt.Errorf("line %d: variable %s is %s, not a string; quote it",
				val.Line, key.Value, val.Tag)
		}
		(*v)[key.Value] = val.Value
	}
	return nil
}

// Image is a job's image with its entrypoint.
type Image struct {
	Name       string   `yaml:"name"`
	Entrypoint []string `yaml:"entrypoint"`
}

// Need is one entry of a job's needs.
type Need struct {
	Job       string `yaml:"job"`
	Optional  bool   `yaml:"optional"`
	Artifacts *bool  `yaml:"artifacts"`
}

// Environment is a job's environment.
type Environment struct {
	Name   string `yaml:"name"`
	Action string `yaml:"action"`
}

// IDTok is one of a job's id_tokens.
type IDTok struct {
	Aud string `yaml:"aud"`
}

// Rule is one entry of a job's rules.
type Rule struct {
	If        string `yaml:"if"`
	When      string `yaml:"when"`
	Variables Vars   `yaml:"variables"`
}

// AllowFailure is the exit_codes form of allow_failure.
type AllowFailure struct {
	ExitCodes []int `yaml:"exit_codes"`
}

// Artifacts is a job's artifacts.
type Artifacts struct {
	Name     string            `yaml:"name"`
	When     string            `yaml:"when"`
	ExpireIn string            `yaml:"expire_in"`
	Access   string            `yaml:"access"`
	Paths    []string          `yaml:"paths"`
	Reports  map[string]string `yaml:"reports"`
}

var interpolation = regexp.MustCompile(`\$\[\[\s*([a-z]+)\.([A-Za-z0-9_-]+)\s*\]\]`)

// Interpolate replaces every `$[[ inputs.NAME ]]` of the body with the
// value given for NAME or else its default, and `$[[ component.version ]]`
// with version, as GitLab does when it includes the component. version is
// the release the include resolved to: 1.2.3 for @1.2.3, @1.2 or @~latest,
// and empty for an include at a commit SHA or a branch. Like GitLab it
// refuses values for unknown inputs and inputs with neither value nor
// default.
func (c *Component) Interpolate(values map[string]any, version string) (string, error) {
	for name := range values {
		if _, ok := c.Input(name); !ok {
			return "", fmt.Errorf("unknown input %q", name)
		}
	}
	var errs []string
	out := interpolation.ReplaceAllStringFunc(c.body, func(m string) string {
		sub := interpolation.FindStringSubmatch(m)
		v, err := c.value(sub[1], sub[2], values, version)
		if err != nil {
			errs = append(errs, err.Error())
		}
		return v
	})
	if len(errs) > 0 {
		return "", fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

func (c *Component) value(ctx, name string, values map[string]any, version string) (string, error) {
	switch {
	case ctx == "component" && name == "version" && slices.Contains(c.Context, name):
		return version, nil
	case ctx == "component":
		return "", fmt.Errorf("component.%s is not listed in spec:component", name)
	case ctx != "inputs":
		return "", fmt.Errorf("unknown interpolation context %q", ctx)
	}
	in, ok := c.Input(name)
	if !ok {
		return "", fmt.Errorf("unknown input %q", name)
	}
	v, given := values[name]
	if !given && !in.HasDefault {
		return "", fmt.Errorf("input %q has no value and no default", name)
	}
	if !given {
		v = in.Default
	}
	return fmt.Sprint(v), nil
}

// Jobs interpolates the body (see Interpolate) and decodes its jobs.
func (c *Component) Jobs(values map[string]any, version string) (map[string]Job, error) {
	body, err := c.Interpolate(values, version)
	if err != nil {
		return nil, err
	}
	var jobs map[string]Job
	dec := yaml.NewDecoder(strings.NewReader(body))
	dec.KnownFields(true)
	if err := dec.Decode(&jobs); err != nil {
		return nil, fmt.Errorf("jobs of %s: %w", c.Name, err)
	}
	return jobs, nil
}

// Unused lists the inputs that the body never interpolates.
func (c *Component) Unused() []string {
	used := map[string]bool{}
	for _, m := range interpolation.FindAllStringSubmatch(c.body, -1) {
		if m[1] == "inputs" {
			used[m[2]] = true
		}
	}
	var out []string
	for _, in := range c.Inputs {
		if !used[in.Name] {
			out = append(out, in.Name)
		}
	}
	return out
}

// Body is the template's body as written, interpolation left in.
func (c *Component) Body() []byte { return []byte(c.body) }
