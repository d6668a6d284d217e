package config

import (
	"cmp"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var (
	settingsSchema = schema{what: "the hatchery block", blocks: []blockSpec{
		{name: "secrets"}, {name: "server", label: "name", many: true}, {name: "defaults"},
	}}
	secretsSchema = schema{what: "a secrets block",
		attrs: []string{"backend", "folder_id", "path"}}
	serverSchema   = schema{what: "a server block", attrs: []string{"url"}}
	defaultsSchema = schema{what: "a defaults block", blocks: []blockSpec{
		{name: "runner"}, {name: "webhook"},
	}}
	cloudSchema     = schema{what: "a cloud block", attrs: []string{"provider", "region"}}
	resourcesSchema = schema{what: "a resources block",
		attrs: []string{"cpu", "memory", "disk"}}
	environmentSchema = schema{what: "an environment block", anyAttrs: true}
)

// Fleet value sets, after Polar-Gosling's .fly files.
var (
	fleetTypes     = []string{"vm", "serverless"}
	cloudProviders = []string{"yandex", "aws"}
	envName        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// settings decodes the nest's hatchery block; a second one is an error.
func (d *decoder) settings(n *Nest, b *hclsyntax.Block) {
	s := &n.Settings
	if s.DeclRange != (hcl.Range{}) {
		d.errorf(b.DefRange(), "Duplicate hatchery block",
			"A nest has one hatchery block; the first is on %s. Merge the two.",
			where(s.DeclRange))
		return
	}
	s.DeclRange = b.DefRange()
	_, blocks := d.content(b.Body, settingsSchema)
	if sb := first(blocks["secrets"]); sb != nil {
		s.Secrets = d.secrets(sb)
	}
	for _, sb := range blocks["server"] {
		d.server(s, sb)
	}
	if db := first(blocks["defaults"]); db != nil {
		_, inner := d.content(db.Body, defaultsSchema)
		s.Defaults.Runner = d.runner(first(inner["runner"]))
		s.Defaults.Webhook = d.webhook(first(inner["webhook"]))
	}
}

func (d *decoder) secrets(b *hclsyntax.Block) Secrets {
	attrs, _ := d.content(b.Body, secretsSchema)
	s := Secrets{Ranges: exprRanges(attrs)}
	if a := attrs["backend"]; a != nil {
		if v, ok := d.str(a); ok && d.oneOf(a.Expr.Range(), "backend", v,
			[]string{"lockbox", "file"}) {
			s.Backend = v
		}
	}
	s.FolderID = d.nonEmpty(attrs["folder_id"])
	s.Path = d.nonEmpty(attrs["path"])
	backend := cmp.Or(s.Backend, "lockbox")
	if a := attrs["path"]; a != nil && backend != "file" {
		d.errorf(a.NameRange, "File path without the file backend",
			"path names the file of the file backend; set backend = \"file\" "+
				"or remove path.")
	}
	if a := attrs["folder_id"]; a != nil && backend != "lockbox" {
		d.errorf(a.NameRange, "Lockbox folder without the lockbox backend",
			"folder_id names a Lockbox folder; remove it, or use backend = \"lockbox\".")
	}
	return s
}

func (d *decoder) server(s *Settings, b *hclsyntax.Block) {
	srv := &Server{Name: b.Labels[0], NameRange: b.LabelRanges[0]}
	ok := d.checkServer(srv.Name, srv.NameRange)
	attrs, _ := d.content(b.Body, serverSchema)
	if u, set := d.str(attrs["url"]); set {
		srv.URL, srv.URLRange = u, attrs["url"].Expr.Range()
		ok = d.checkServerURL(u, srv.URLRange) && ok
	} else if attrs["url"] == nil {
		d.errorf(b.DefRange(), "Missing url",
			"A server block gives the instance's URL: url = \"https://%s/gitlab\".",
			srv.Name)
		ok = false
	}
	if prev, dup := s.Servers[srv.Name]; dup {
		d.errorf(srv.NameRange, "Duplicate server block",
			"Server %q already has a block on %s. Keep one.", srv.Name, where(prev.NameRange))
		return
	}
	if ok {
		if s.Servers == nil {
			s.Servers = map[string]*Server{}
		}
		s.Servers[srv.Name] = srv
	}
}

// nonEmpty returns a string argument that must not be "".
func (d *decoder) nonEmpty(a *hclsyntax.Attribute) string {
	s, ok := d.str(a)
	if ok && s == "" {
		d.errorf(a.Expr.Range(), "Empty "+a.Name,
			"%s must not be empty; remove it to leave it unset.", a.Name)
	}
	return s
}

// fleet decodes the Polar-Gosling fleet fields of an egg or bucket.
func (d *decoder) fleet(attrs map[string]*hclsyntax.Attribute,
	blocks map[string][]*hclsyntax.Block) Fleet {
	f := Fleet{Ranges: map[string]hcl.Range{}}
	if a := attrs["type"]; a != nil {
		f.Ranges["type"] = a.Expr.Range()
		if s, ok := d.str(a); ok && d.oneOf(a.Expr.Range(), "type", s, fleetTypes) {
			f.Type = &s
		}
	}
	if b := first(blocks["cloud"]); b != nil {
		f.Ranges["cloud"] = b.DefRange()
		f.Cloud = d.cloud(b)
	}
	if b := first(blocks["resources"]); b != nil {
		f.Ranges["resources"] = b.DefRange()
		attrs, _ := d.content(b.Body, resourcesSchema)
		f.Resources = &Resources{Ranges: exprRanges(attrs)}
		f.Resources.CPU = d.intIn(attrs["cpu"], 1, 128, " cores")
		f.Resources.Memory = d.intIn(attrs["memory"], 512, 524288, " MiB")
		f.Resources.Disk = d.intIn(attrs["disk"], 10, 10240, " GiB")
	}
	if b := first(blocks["environment"]); b != nil {
		f.Ranges["environment"] = b.DefRange()
		f.Environment = d.environment(b, f.Ranges)
	}
	return f
}

func (d *decoder) cloud(b *hclsyntax.Block) *Cloud {
	attrs, _ := d.content(b.Body, cloudSchema)
	c := &Cloud{Ranges: exprRanges(attrs)}
	if a := attrs["provider"]; a != nil {
		if s, ok := d.str(a); ok && d.oneOf(a.Expr.Range(), "provider", s, cloudProviders) {
			c.Provider = s
		}
	} else {
		d.errorf(b.DefRange(), "Missing provider",
			"A cloud block names its provider: provider = \"yandex\" or \"aws\".")
	}
	c.Region = d.nonEmpty(attrs["region"])
	return c
}

// environment decodes the variables of the fleet's runner hosts.
func (d *decoder) environment(b *hclsyntax.Block, ranges map[string]hcl.Range) map[string]string {
	attrs, _ := d.content(b.Body, environmentSchema)
	env := map[string]string{}
	for _, a := range sortedAttrs(b.Body) {
		if attrs[a.Name] == nil {
			continue
		}
		if !envName.MatchString(a.Name) {
			d.errorf(a.NameRange, "Invalid variable name",
				"An environment variable name is letters, digits and _, "+
					"not starting with a digit.")
			continue
		}
		if v, ok := d.str(a); ok {
			env[a.Name] = v
			ranges["environment."+a.Name] = a.Expr.Range()
		}
	}
	return env
}
