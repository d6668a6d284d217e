package config

import (
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var (
	fileSchema = schema{what: "a .fly file", in: "at the top level of a .fly file",
		blocks: []blockSpec{
			{name: "hatchery", many: true}, // one per nest, checked across files
			{name: "egg", label: "name", many: true},
			{name: "eggsbucket", label: "name", many: true},
		}}
	eggSchema = schema{what: "an egg", attrs: []string{"type"}, blocks: []blockSpec{
		{name: "gitlab", dupHint: "An egg covers one project or one group; " +
			"an eggsbucket covers several."},
		{name: "runner"}, {name: "webhook"}, {name: "discovery"},
		{name: "cloud"}, {name: "resources"}, {name: "environment"},
	}}
	bucketSchema = schema{what: "an eggsbucket", attrs: []string{"type"}, blocks: []blockSpec{
		{name: "runner"}, {name: "webhook"}, {name: "repositories"},
		{name: "cloud"}, {name: "resources"}, {name: "environment"},
	}}
	reposSchema = schema{what: "a repositories block", blocks: []blockSpec{
		{name: "repo", label: "label", many: true},
	}}
	repoSchema = schema{what: "a repo block", blocks: []blockSpec{
		{name: "gitlab"}, {name: "discovery"},
	}}
	gitlabSchema = schema{what: "a gitlab block",
		attrs: []string{"server", "project_id", "group_id"}}
	runnerSchema = schema{what: "a runner block", attrs: []string{
		"description", "tags", "run_untagged", "locked", "paused", "access_level",
		"maximum_timeout", "concurrent", "idle_timeout",
	}}
	webhookSchema = schema{what: "a webhook block",
		attrs: []string{"url", "events", "ssl_verification"}}
	discoverySchema = schema{what: "a discovery block", attrs: []string{
		"include_subgroups", "include_archived", "include_shared", "exclude",
	}}
)

// topLevel decodes the top level of one file into n.
func (d *decoder) topLevel(n *Nest, body *hclsyntax.Body) {
	_, blocks := d.content(body, fileSchema)
	for _, b := range blocks["hatchery"] {
		d.settings(n, b)
	}
	for _, b := range blocks["egg"] {
		n.Eggs = append(n.Eggs, d.egg(b))
	}
	for _, b := range blocks["eggsbucket"] {
		n.Buckets = append(n.Buckets, d.bucket(b))
	}
}

func (d *decoder) egg(b *hclsyntax.Block) *Egg {
	e := &Egg{Name: b.Labels[0], NameRange: b.LabelRanges[0], DeclRange: b.DefRange()}
	d.checkName(e.Name, e.NameRange, "egg")
	attrs, blocks := d.content(b.Body, eggSchema)
	e.GitLab, e.Discovery = d.projectOrGroup(blocks, e.DeclRange, "egg", e.Name)
	e.Runner = d.runner(first(blocks["runner"]))
	e.Webhook = d.webhook(first(blocks["webhook"]))
	e.Fleet = d.fleet(attrs, blocks)
	d.scopes = append(d.scopes, scope{b.Range(), e.Name, e.GitLab.Server})
	return e
}

func (d *decoder) bucket(b *hclsyntax.Block) *Bucket {
	bk := &Bucket{Name: b.Labels[0], NameRange: b.LabelRanges[0], DeclRange: b.DefRange()}
	d.checkName(bk.Name, bk.NameRange, "eggsbucket")
	attrs, blocks := d.content(b.Body, bucketSchema)
	bk.Runner = d.runner(first(blocks["runner"]))
	if r := bk.Runner; r != nil && r.Locked != nil && *r.Locked {
		d.errorf(r.Ranges["locked"], "Locked runner in an eggsbucket",
			"A bucket's runner is enabled in every project of the bucket, and GitLab "+
				"refuses to enable a locked runner in a second project. Remove locked.")
	}
	bk.Webhook = d.webhook(first(blocks["webhook"]))
	subject := bk.DeclRange
	if rs := first(blocks["repositories"]); rs != nil {
		subject = rs.DefRange()
		_, repos := d.content(rs.Body, reposSchema)
		for _, r := range repos["repo"] {
			bk.Repos = append(bk.Repos, d.repo(bk.Name, r))
		}
	}
	if len(bk.Repos) == 0 {
		d.errorf(subject, "Empty eggsbucket",
			"Eggsbucket %q lists no project or group. Add repo blocks to its "+
				"repositories block, or remove the bucket.", bk.Name)
	}
	bk.Fleet = d.fleet(attrs, blocks)
	d.scopes = append(d.scopes, scope{b.Range(), bk.Name, ""})
	return bk
}

func (d *decoder) repo(bucket string, b *hclsyntax.Block) *Repo {
	r := &Repo{Label: b.Labels[0], LabelRange: b.LabelRanges[0], DeclRange: b.DefRange()}
	if r.Label == "" {
		d.errorf(r.LabelRange, "Empty repo label",
			"Give the repo a label that says what it is, like repo \"api\".")
	}
	_, blocks := d.content(b.Body, repoSchema)
	r.GitLab, r.Discovery = d.projectOrGroup(blocks, r.DeclRange, "repo", r.Label)
	d.scopes = append(d.scopes, scope{b.Range(), bucket, r.GitLab.Server})
	return r
}

// projectOrGroup decodes the gitlab and discovery blocks of an egg or a
// repo, whose header is decl; kind ("egg" or "repo") and name are for
// messages.
func (d *decoder) projectOrGroup(blocks map[string][]*hclsyntax.Block, decl hcl.Range,
	kind, name string) (GitLab, *Discovery) {
	var g GitLab
	if b := first(blocks["gitlab"]); b != nil {
		g = d.gitlab(b)
	} else {
		d.errorf(decl, "Missing gitlab block",
			"%s %s names its GitLab project or group in a gitlab block, "+
				"with server and project_id or group_id.", article(kind), kind)
	}
	ds := d.discovery(first(blocks["discovery"]))
	if ds != nil && g.ProjectID != 0 {
		d.errorf(ds.DeclRange, "Discovery on a project "+kind,
			"discovery finds the projects of a group, and %s %q names one project. "+
				"Remove the discovery block, or name a group with group_id.", kind, name)
	}
	return g, ds
}

func (d *decoder) gitlab(b *hclsyntax.Block) GitLab {
	g := GitLab{DeclRange: b.DefRange()}
	attrs, _ := d.content(b.Body, gitlabSchema)
	if s, ok := d.str(attrs["server"]); ok {
		g.ServerRange = attrs["server"].Expr.Range()
		if d.checkServer(s, g.ServerRange) {
			g.Server = s
		}
	} else if attrs["server"] == nil {
		d.errorf(g.DeclRange, "Missing server",
			"A gitlab block names its GitLab instance by host: server = \"gitlab.com\".")
	}
	project, group := attrs["project_id"], attrs["group_id"]
	switch {
	case project != nil && group != nil:
		d.errorf(group.NameRange, "Both project_id and group_id",
			"A gitlab block names one project or one group: keep project_id (%s) "+
				"or group_id, not both.", where(project.NameRange))
	case project != nil:
		g.ProjectID, g.IDRange = d.id(project)
	case group != nil:
		g.GroupID, g.IDRange = d.id(group)
	case len(b.Body.Attributes) == len(attrs): // else an unknown name said it already
		d.errorf(g.DeclRange, "Missing project_id or group_id",
			"Name the project with project_id = 12345, or the group with group_id = 789.")
	}
	return g
}

// id returns a project or group id and its range; 0 when it is not one.
func (d *decoder) id(a *hclsyntax.Attribute) (int64, hcl.Range) {
	n, ok := d.whole(a)
	if ok && n <= 0 {
		d.errorf(a.Expr.Range(), "Invalid "+a.Name,
			"%s is a GitLab id, a positive number: the one shown on the page "+
				"of the project or group.", a.Name)
		n = 0
	}
	return n, a.Expr.Range()
}

func (d *decoder) runner(b *hclsyntax.Block) *Runner {
	if b == nil {
		return nil
	}
	attrs, _ := d.content(b.Body, runnerSchema)
	r := &Runner{DeclRange: b.DefRange(), Ranges: exprRanges(attrs)}
	r.Description = d.strPtr(attrs["description"])
	r.Tags = d.tags(attrs["tags"])
	r.RunUntagged = d.boolPtr(attrs["run_untagged"])
	r.Locked = d.boolPtr(attrs["locked"])
	r.Paused = d.boolPtr(attrs["paused"])
	if a := attrs["access_level"]; a != nil {
		if s, ok := d.str(a); ok && d.oneOf(a.Expr.Range(), "access_level", s, AccessLevels) {
			r.AccessLevel = &s
		}
	}
	r.MaximumTimeout = d.duration(attrs["maximum_timeout"], MinMaximumTimeout,
		": GitLab refuses anything shorter")
	r.Concurrent = d.intIn(attrs["concurrent"], 1, 1000, " jobs")
	r.IdleTimeout = d.duration(attrs["idle_timeout"], time.Second, "")
	return r
}

// tags returns the runner tags; GitLab keeps them as one comma-separated
// list, so a tag cannot hold a comma.
func (d *decoder) tags(a *hclsyntax.Attribute) []string {
	tags, ranges, ok := d.strings(a)
	if !ok {
		return nil
	}
	for i, t := range tags {
		if t == "" || strings.ContainsAny(t, ", \t\n") {
			d.errorf(ranges[i], "Invalid tag",
				"A runner tag is a non-empty word without commas or spaces.")
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return tags
}

func (d *decoder) webhook(b *hclsyntax.Block) *Webhook {
	if b == nil {
		return nil
	}
	attrs, _ := d.content(b.Body, webhookSchema)
	w := &Webhook{DeclRange: b.DefRange(), Ranges: exprRanges(attrs)}
	if s, ok := d.str(attrs["url"]); ok && d.checkHookURL(s, attrs["url"].Expr.Range()) {
		w.URL = &s
	}
	events, ranges, ok := d.strings(attrs["events"])
	for i, e := range events {
		ok = d.oneOf(ranges[i], "event", e, EventNames) && ok
		if j := slices.Index(events[:i], e); j >= 0 {
			d.errorf(ranges[i], "Duplicate event",
				"%q is already listed; list each event once.", e)
			ok = false
		}
	}
	if ok {
		w.Events = events
	}
	w.SSLVerification = d.boolPtr(attrs["ssl_verification"])
	return w
}

func (d *decoder) discovery(b *hclsyntax.Block) *Discovery {
	if b == nil {
		return nil
	}
	attrs, _ := d.content(b.Body, discoverySchema)
	ds := &Discovery{DeclRange: b.DefRange(), Ranges: exprRanges(attrs)}
	ds.IncludeSubgroups = d.boolPtr(attrs["include_subgroups"])
	ds.IncludeArchived = d.boolPtr(attrs["include_archived"])
	ds.IncludeShared = d.boolPtr(attrs["include_shared"])
	globs, ranges, ok := d.strings(attrs["exclude"])
	for i, g := range globs {
		ok = d.checkGlob(g, ranges[i]) && ok
	}
	if ok {
		ds.Exclude, ds.ExcludeRanges = globs, ranges
	}
	return ds
}

// exprRanges maps each argument's name to the range of its value.
func exprRanges(attrs map[string]*hclsyntax.Attribute) map[string]hcl.Range {
	out := make(map[string]hcl.Range, len(attrs))
	for name, a := range attrs {
		out[name] = a.Expr.Range()
	}
	return out
}

func first(blocks []*hclsyntax.Block) *hclsyntax.Block {
	if len(blocks) == 0 {
		return nil
	}
	return blocks[0]
}
