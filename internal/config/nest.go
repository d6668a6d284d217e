// Package config reads a nest: every .fly file below a directory, decoded
// from HCL native syntax into typed values, checked against the rules of the
// .fly language, with every problem reported as an hcl.Diagnostic that points
// at its source.
//
// Optional fields are pointers (or nil slices): nil means "not set here", so
// that defaults can be merged later without confusing "unset" with "false".
package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Nest is a decoded nest.
type Nest struct {
	// Dir is the directory the nest was loaded from, as given.
	Dir string
	// Files are the .fly files, relative to Dir with forward slashes, sorted.
	// Every hcl.Range in the nest names one of them.
	Files []string
	// Sources holds each file's bytes by its name in Files, with anything
	// that looks like a token masked, for printing snippets.
	Sources map[string][]byte

	Settings Settings
	// Eggs and Buckets are in file order, then in source order.
	Eggs    []*Egg
	Buckets []*Bucket
}

// Settings is the nest's `hatchery` block; every field is optional.
type Settings struct {
	// DeclRange is the hatchery block's header; zero when there is none.
	DeclRange hcl.Range
	Secrets   Secrets
	// Servers are the `server "name"` blocks by name.
	Servers  map[string]*Server
	Defaults Defaults
}

// Secrets chooses the secret backend. Empty strings are unset.
type Secrets struct {
	// Backend is "lockbox" or "file"; empty means "lockbox".
	Backend string
	// FolderID is the Lockbox folder that holds the records.
	FolderID string
	// Path is the JSON file of the file backend, relative to the nest.
	Path string
	// Ranges holds the range of each argument that was set, by its name.
	Ranges map[string]hcl.Range
}

// Server names a GitLab instance whose API root is not https://<name>.
type Server struct {
	Name      string
	NameRange hcl.Range
	// URL is the instance's root URL; the API is at URL + "/api/v4".
	URL      string
	URLRange hcl.Range
}

// Defaults are merged under every egg's and bucket's own blocks.
type Defaults struct {
	Runner  *Runner
	Webhook *Webhook
}

// Egg is `egg "name" { … }`: one GitLab project or one GitLab group.
type Egg struct {
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range
	GitLab    GitLab
	Runner    *Runner
	Webhook   *Webhook
	// Discovery is only allowed on group eggs.
	Discovery *Discovery
	Fleet     Fleet
}

// Bucket is `eggsbucket "name" { … }`: a curated list of projects and groups.
type Bucket struct {
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range
	Runner    *Runner
	Webhook   *Webhook
	// Repos are the `repo` blocks of `repositories`, in source order.
	Repos []*Repo
	Fleet Fleet
}

// Repo is `repo "label" { … }` inside a bucket's `repositories`.
type Repo struct {
	Label      string
	LabelRange hcl.Range
	DeclRange  hcl.Range
	GitLab     GitLab
	// Discovery is only allowed on group repos.
	Discovery *Discovery
}

// GitLab is a `gitlab` block: a server and exactly one of a project or a
// group id.
type GitLab struct {
	DeclRange   hcl.Range
	Server      string
	ServerRange hcl.Range
	// ProjectID or GroupID is set (positive), never both.
	ProjectID int64
	GroupID   int64
	// IDRange is the range of whichever id is set.
	IDRange hcl.Range
}

// IsGroup reports whether the block names a group rather than a project.
func (g GitLab) IsGroup() bool { return g.GroupID != 0 }

// Runner is a `runner` block. Concurrent and IdleTimeout are for the runner
// fleet (hatchery export) and are never sent to GitLab.
type Runner struct {
	DeclRange   hcl.Range
	Description *string
	// Tags is nil when unset and empty (not nil) for `tags = []`.
	Tags           []string
	RunUntagged    *bool
	Locked         *bool
	Paused         *bool
	AccessLevel    *string // "not_protected" or "ref_protected"
	MaximumTimeout *time.Duration
	Concurrent     *int
	IdleTimeout    *time.Duration
	// Ranges holds the range of each argument that was set, by its name.
	Ranges map[string]hcl.Range
}

// Webhook is a `webhook` block.
type Webhook struct {
	DeclRange hcl.Range
	URL       *string
	// Events is nil when unset; names are the keys of HookEvents.
	Events          []string
	SSLVerification *bool
	// Ranges holds the range of each argument that was set, by its name.
	Ranges map[string]hcl.Range
}

// Discovery is a `discovery` block: how a group's projects are found.
type Discovery struct {
	DeclRange        hcl.Range
	IncludeSubgroups *bool
	IncludeArchived  *bool
	IncludeShared    *bool
	// Exclude holds globs on path_with_namespace, nil when unset.
	Exclude []string
	// ExcludeRanges[i] is the range of Exclude[i].
	ExcludeRanges []hcl.Range
	// Ranges holds the range of each argument that was set, by its name.
	Ranges map[string]hcl.Range
}

// Fleet holds what Polar-Gosling style nests say about the runner fleet
// itself. hatchery checks it and passes it to `hatchery export`; none of it
// reaches GitLab.
type Fleet struct {
	Type        *string // "vm" or "serverless"
	Cloud       *Cloud
	Resources   *Resources
	Environment map[string]string // nil when there is no environment block
	// Ranges holds the range of "type" and of the "cloud", "resources" and
	// "environment" blocks that were set, and of each "environment.KEY".
	Ranges map[string]hcl.Range
}

// IsZero reports whether the egg says nothing about its fleet.
func (f Fleet) IsZero() bool {
	return f.Type == nil && f.Cloud == nil && f.Resources == nil && f.Environment == nil
}

// Cloud is a fleet's `cloud` block.
type Cloud struct {
	Provider string // "yandex" or "aws"
	Region   string
	Ranges   map[string]hcl.Range
}

// Resources is a fleet's `resources` block: the size of one runner host.
type Resources struct {
	CPU    *int // cores
	Memory *int // MiB
	Disk   *int // GiB
	Ranges map[string]hcl.Range
}

// HookEvents maps each webhook event name of the .fly language to the
// GitLab project hook option that turns it on. Names are GitLab's object
// kinds, singular: "merge_request", "issue", "release".
var HookEvents = map[string]string{
	"push":                  "push_events",
	"tag_push":              "tag_push_events",
	"merge_request":         "merge_requests_events",
	"issue":                 "issues_events",
	"confidential_issue":    "confidential_issues_events",
	"note":                  "note_events",
	"confidential_note":     "confidential_note_events",
	"job":                   "job_events",
	"pipeline":              "pipeline_events",
	"wiki_page":             "wiki_page_events",
	"deployment":            "deployment_events",
	"feature_flag":          "feature_flag_events",
	"release":               "releases_events",
	"milestone":             "milestone_events",
	"emoji":                 "emoji_events",
	"vulnerability":         "vulnerability_events",
	"resource_access_token": "resource_access_token_events",
	"resource_deploy_token": "resource_deploy_token_events",
}

// EventNames are the keys of HookEvents in the order people think of them.
var EventNames = []string{
	"push", "tag_push", "merge_request", "issue", "confidential_issue", "note",
	"confidential_note", "job", "pipeline", "wiki_page", "deployment", "release",
	"feature_flag", "milestone", "emoji", "vulnerability", "resource_access_token",
	"resource_deploy_token",
}

// AccessLevels are the runner access levels GitLab knows.
var AccessLevels = []string{"not_protected", "ref_protected"}

// MinMaximumTimeout is GitLab's floor for a runner's maximum_timeout.
const MinMaximumTimeout = 10 * time.Minute
