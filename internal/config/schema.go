package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// schema says what a block may hold. Unknown names are errors with a
// "did you mean"; the decoder never sees them.
type schema struct {
	what     string // "a gitlab block", for messages
	in       string // "in a gitlab block" unless set
	attrs    []string
	blocks   []blockSpec
	anyAttrs bool // every argument is welcome (environment)
}

// blockNames lists the names of the blocks s allows, in schema order.
func (s schema) blockNames() []string {
	names := make([]string, len(s.blocks))
	for i, b := range s.blocks {
		names[i] = b.name
	}
	return names
}

func (s schema) place() string {
	if s.in != "" {
		return s.in
	}
	return "in " + s.what
}

type blockSpec struct {
	name  string
	label string // "" for a block without a label
	many  bool   // may appear more than once
	// dupHint replaces "Merge the two." when a single block is repeated.
	dupHint string
}

// aliases are names people reach for that mean one of ours: the concept
// document's short forms, GitLab API names, and close misspellings.
var aliases = map[string]string{
	"id":                      "project_id",
	"project":                 "project_id",
	"gid":                     "group_id",
	"group":                   "group_id",
	"server_name":             "server",
	"host":                    "server",
	"eggbucket":               "eggsbucket",
	"eggs_bucket":             "eggsbucket",
	"bucket":                  "eggsbucket",
	"repository":              "repo",
	"repos":                   "repositories",
	"tag_list":                "tags",
	"enable_ssl_verification": "ssl_verification",
	"verify_ssl":              "ssl_verification",
	"protected":               "access_level",
	"timeout":                 "maximum_timeout",
	"excludes":                "exclude",
	"env":                     "environment",
}

// content checks body against s and returns its arguments by name and its
// blocks by type, in source order. Problems go to d.
func (d *decoder) content(body *hclsyntax.Body, s schema) (
	map[string]*hclsyntax.Attribute, map[string][]*hclsyntax.Block) {
	attrs := map[string]*hclsyntax.Attribute{}
	for _, a := range sortedAttrs(body) {
		if s.anyAttrs || slices.Contains(s.attrs, a.Name) {
			attrs[a.Name] = a
			continue
		}
		d.unknownAttr(a, s)
	}
	blocks := map[string][]*hclsyntax.Block{}
	for _, b := range body.Blocks {
		i := slices.IndexFunc(s.blocks, func(bs blockSpec) bool { return bs.name == b.Type })
		if i < 0 {
			d.unknownBlock(b, s)
			continue
		}
		spec := s.blocks[i]
		if !d.labelsOK(b, spec) {
			continue
		}
		if prev := blocks[b.Type]; len(prev) > 0 && !spec.many {
			fix := cmp.Or(spec.dupHint, "Merge the two.")
			d.errorf(b.DefRange(), "Duplicate "+b.Type+" block",
				"%s takes one %s block; the first is on %s. %s",
				capitalize(s.what), b.Type, where(prev[0].DefRange()), fix)
			continue
		}
		blocks[b.Type] = append(blocks[b.Type], b)
	}
	return attrs, blocks
}

func sortedAttrs(body *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hclsyntax.Attribute) int {
		return cmp.Compare(a.SrcRange.Start.Byte, b.SrcRange.Start.Byte)
	})
	return out
}

func (d *decoder) unknownAttr(a *hclsyntax.Attribute, s schema) {
	if slices.Contains(s.blockNames(), a.Name) {
		d.errorf(a.NameRange, "Block written as an argument",
			"%q is a block, not an argument: drop the equals sign and write %s { … }.",
			a.Name, a.Name)
		return
	}
	detail := fmt.Sprintf("An argument named %q is not expected %s.", a.Name, s.place())
	d.errorf(a.NameRange, "Unsupported argument", "%s", detail+hint(a.Name, s.attrs, s))
}

func (d *decoder) unknownBlock(b *hclsyntax.Block, s schema) {
	if slices.Contains(s.attrs, b.Type) {
		d.errorf(b.TypeRange, "Argument written as a block",
			"%q is an argument, not a block: write %s = <value>.", b.Type, b.Type)
		return
	}
	detail := fmt.Sprintf("A block named %q is not expected %s.", b.Type, s.place())
	d.errorf(b.TypeRange, "Unsupported block type", "%s",
		detail+hint(b.Type, s.blockNames(), s))
}

// hint is " Did you mean …?" when a known name is close, else a list of the
// names that are allowed.
func hint(name string, known []string, s schema) string {
	if sug := suggest(name, known); sug != "" {
		return fmt.Sprintf(" Did you mean %q?", sug)
	}
	return " " + allowed(s)
}

func allowed(s schema) string {
	var parts []string
	if len(s.attrs) > 0 {
		parts = append(parts, "arguments "+strings.Join(s.attrs, ", "))
	}
	if len(s.blocks) > 0 {
		parts = append(parts, "blocks "+strings.Join(s.blockNames(), ", "))
	}
	if len(parts) == 0 {
		return capitalize(s.what) + " takes nothing else."
	}
	return capitalize(s.what) + " takes " + strings.Join(parts, " and ") + "."
}

// suggest returns the known name that name most likely meant, or "".
func suggest(name string, known []string) string {
	if a, ok := aliases[name]; ok && slices.Contains(known, a) {
		return a
	}
	best, bestDist := "", 3
	if len(name) <= 3 {
		bestDist = 2 // "id" must not become "ids" of anything at distance 2
	}
	for _, k := range known {
		if dist := levenshtein.Distance(name, k, nil); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// labelsOK reports whether b carries the label its spec wants.
func (d *decoder) labelsOK(b *hclsyntax.Block, spec blockSpec) bool {
	switch {
	case spec.label != "" && len(b.Labels) == 0:
		d.errorf(b.TypeRange, "Missing "+spec.label+" for "+b.Type,
			"Every %s block needs a %s in quotes: %s %q { … }.",
			b.Type, spec.label, b.Type, exampleLabel(b.Type))
		return false
	case spec.label == "" && len(b.Labels) > 0:
		d.errorf(b.LabelRanges[0], "Unexpected label",
			"A %s block has no label: write %s { … }.", b.Type, b.Type)
		return false
	case len(b.Labels) > 1:
		d.errorf(b.LabelRanges[1], "Extra label",
			"A %s block has one label, its %s: write %s %q { … }.",
			b.Type, spec.label, b.Type, b.Labels[0])
		return false
	}
	if len(b.Labels) == 1 {
		return d.checkVisible(b.LabelRanges[0], "the "+b.Type+" label", b.Labels[0])
	}
	return true
}

func exampleLabel(blockType string) string {
	switch blockType {
	case "server":
		return "gitlab.company.com"
	case "repo":
		return "api"
	}
	return "my-app"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// where names a range for a Detail: "line 3" in the same file is not
// enough across files, so it is always "file.fly line 3".
func where(r hcl.Range) string {
	return fmt.Sprintf("%s line %d", r.Filename, r.Start.Line)
}
