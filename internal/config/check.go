package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// The rules here need the whole nest: names and projects must be unique
// across files, and defaults complete what eggs leave out.

// check returns the problems that only the whole nest shows.
func (n *Nest) check() hcl.Diagnostics {
	var diags hcl.Diagnostics
	diags = append(diags, n.checkNames()...)
	diags = append(diags, n.checkTargets()...)
	diags = append(diags, n.checkHookURLs()...)
	return diags
}

// checkNames reports an egg or bucket name used twice: eggs and buckets share
// one namespace, since both name secret paths.
func (n *Nest) checkNames() hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	add := func(kind, name string, rng hcl.Range) {
		if name == "" || NameProblem(name) != "" {
			return
		}
		if prev, dup := seen[name]; dup {
			diags = append(diags, errorAt(rng, "Duplicate name",
				"%q is already the name of an egg or eggsbucket on %s. Names are unique "+
					"across the nest: they name the secret paths. Rename this %s.",
				name, where(prev), kind))
			return
		}
		seen[name] = rng
	}
	for _, e := range n.Eggs {
		add("egg", e.Name, e.NameRange)
	}
	for _, b := range n.Buckets {
		add("eggsbucket", b.Name, b.NameRange)
	}
	return diags
}

// target is one project or group on one server.
type target struct {
	server string
	group  bool
	id     int64
}

func (t target) String() string {
	kind := "Project"
	if t.group {
		kind = "Group"
	}
	return fmt.Sprintf("%s %d on %s", kind, t.id, t.server)
}

// owner is where a target is named: an egg, or a repo of a bucket.
type owner struct {
	rng    hcl.Range
	bucket *Bucket
	what   string // `egg "x"` or `repo "y" of eggsbucket "z"`
}

// checkTargets reports repo labels used twice in a bucket, and a project or
// group named in two places: two units would fight over its runner and
// hooks, and a webhook receiver could not tell which egg an event is for.
func (n *Nest) checkTargets() hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[target]owner{}
	add := func(g GitLab, o owner) {
		if g.Server == "" || (g.ProjectID == 0 && g.GroupID == 0) {
			return
		}
		t := target{g.Server, g.IsGroup(), max(g.ProjectID, g.GroupID)}
		prev, dup := seen[t]
		if !dup {
			seen[t] = o
			return
		}
		detail := fmt.Sprintf("%s is already %s on %s. ", t, prev.what, where(prev.rng))
		if o.bucket != nil && prev.bucket == o.bucket {
			detail += "List it once in the bucket."
		} else {
			detail += "Name each project or group in one place only: two eggs would " +
				"fight over its runner and webhooks."
		}
		diags = append(diags, errorAt(g.IDRange, "Named twice", "%s", detail))
	}
	for _, e := range n.Eggs {
		add(e.GitLab, owner{e.NameRange, nil, fmt.Sprintf("egg %q", e.Name)})
	}
	for _, b := range n.Buckets {
		diags = append(diags, b.checkLabels()...)
		for _, r := range b.Repos {
			add(r.GitLab, owner{r.LabelRange, b,
				fmt.Sprintf("repo %q of eggsbucket %q", r.Label, b.Name)})
		}
	}
	return diags
}

func (b *Bucket) checkLabels() hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	for _, r := range b.Repos {
		if prev, dup := seen[r.Label]; dup {
			diags = append(diags, errorAt(r.LabelRange, "Duplicate repo label",
				"Eggsbucket %q already has a repo %q on %s. Labels are unique "+
					"inside a bucket.", b.Name, r.Label, where(prev)))
			continue
		}
		seen[r.Label] = r.LabelRange
	}
	return diags
}

// checkHookURLs reports webhooks that end up without a URL once the
// defaults are merged under them. An egg without a webhook block takes the
// defaults' one, if there is one.
func (n *Nest) checkHookURLs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	def := n.Settings.Defaults.Webhook
	if def != nil && (def.URL != nil || hasRange(def.Ranges, "url")) {
		return nil // complete, or already reported as invalid
	}
	fromDefaults := false
	check := func(w *Webhook) {
		switch {
		case w == nil:
			fromDefaults = fromDefaults || def != nil
		case w.URL == nil && !hasRange(w.Ranges, "url"):
			diags = append(diags, errorAt(w.DeclRange, "Missing webhook URL",
				"A webhook needs a url, here or in the hatchery block's defaults: "+
					"url = \"https://fleet.example.com/hooks/gitlab\"."))
		}
	}
	for _, e := range n.Eggs {
		check(e.Webhook)
	}
	for _, b := range n.Buckets {
		check(b.Webhook)
	}
	if fromDefaults {
		diags = append(diags, errorAt(def.DeclRange, "Missing webhook URL",
			"Eggs without a webhook block of their own take this one, and it has no "+
				"url: add url = \"https://fleet.example.com/hooks/gitlab\"."))
	}
	return diags
}

func hasRange(ranges map[string]hcl.Range, name string) bool {
	_, ok := ranges[name]
	return ok
}

func errorAt(rng hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  rng.Ptr(),
	}
}
