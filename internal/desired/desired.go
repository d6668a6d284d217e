// Package desired compiles a validated nest into the state that GitLab and
// the secret store should be in. Compilation is pure: no network, no clock.
package desired

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// Kind says which of the three shapes of egg a unit comes from.
type Kind string

// The kinds of unit.
const (
	ProjectEgg Kind = "project" // egg with project_id: a project runner
	GroupEgg   Kind = "group"   // egg with group_id: a group runner
	Bucket     Kind = "bucket"  // eggsbucket: one shared project runner per server
)

// State is the whole desired state of a nest.
type State struct {
	// Units are sorted by egg name, then server.
	Units []*Unit
	// ServerURLs maps a server name to its API root where the nest's
	// settings say so; other servers use https://<server>/api/v4.
	ServerURLs map[string]string
	// Claimed maps a project named explicitly by project_id to the unit
	// that names it, per server. Group discovery yields such a project to
	// that unit.
	Claimed map[ProjectKey]*Unit
}

// ProjectKey names a project on a server.
type ProjectKey struct {
	Server    string
	ProjectID int64
}

// Unit is one (egg, server) pair: it owns one runner and one secret record.
type Unit struct {
	Egg    string
	Server string
	Kind   Kind
	// Range is the declaration of the egg or bucket.
	Range hcl.Range

	Runner  Runner
	Webhook *Webhook // nil when the unit has no webhook

	// Projects are named explicitly, in file order. Groups are to be
	// discovered. A project egg has one project, a group egg one group.
	Projects []ProjectRef
	Groups   []GroupRef
}

// ProjectRef is a project named by project_id.
type ProjectRef struct {
	ID    int64
	Label string // the repo label inside a bucket
	Range hcl.Range
}

// GroupRef is a group named by group_id, with the rules for discovering its
// projects.
type GroupRef struct {
	ID        int64
	Label     string
	Range     hcl.Range
	Discovery Discovery
}

// Discovery says which projects of a group are targets.
type Discovery struct {
	IncludeSubgroups bool
	IncludeArchived  bool
	IncludeShared    bool
	Exclude          []string // globs on path_with_namespace
}

// Runner is the runner a unit should have, with every field decided.
type Runner struct {
	Description     string // as GitLab should show it, marker included
	Tags            []string
	RunUntagged     bool
	Locked          bool
	Paused          bool
	AccessLevel     string // "not_protected" or "ref_protected"
	MaximumTimeout  int    // seconds; 0 leaves GitLab's value alone
	MaintenanceNote string
}

// Webhook is the project hook a unit puts on each of its targets.
type Webhook struct {
	URL             string
	Events          []string // sorted, from config's known set
	SSLVerification bool
}

// markerPrefix starts every marker; the egg's name follows it.
const markerPrefix = "hatchery:"

// Marker is the text hatchery writes into a runner's description and
// maintenance note, and into a hook's name, to recognise its own objects.
func Marker(egg string) string { return markerPrefix + egg }

// String names the unit for messages: "egg (server)".
func (u *Unit) String() string { return u.Egg + " (" + u.Server + ")" }

// Owner says where the unit's runner is registered: a group for a group
// egg, else a project. A bucket whose server has no explicit project gets
// its owner only after discovery (the lowest discovered id): then Owner
// reports ok=false.
func (u *Unit) Owner() (id int64, group bool, ok bool) {
	switch {
	case u.Kind == GroupEgg:
		return u.Groups[0].ID, true, true
	case len(u.Projects) > 0:
		return u.Projects[0].ID, false, true
	}
	return 0, false, false
}

// ParseMarker finds the egg named by a marker in text, if any.
func ParseMarker(text string) (egg string, ok bool) {
	_, rest, found := strings.Cut(text, markerPrefix)
	if !found {
		return "", false
	}
	end := 0
	for end < len(rest) && isNameByte(rest[end]) {
		end++
	}
	if end == 0 {
		return "", false
	}
	return rest[:end], true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

func describe(egg, desc string) string {
	if desc == "" {
		desc = egg
	}
	return fmt.Sprintf("%s [%s]", desc, Marker(egg))
}

func maintenanceNote(egg string) string {
	return fmt.Sprintf("Managed by hatchery from the nest (%s). "+
		"Changes made here are overwritten by the next apply.", Marker(egg))
}

func seconds(d time.Duration) int { return int(d / time.Second) }

// Key is the unit's key in the secret store.
func (u *Unit) Key() secrets.Unit { return secrets.Unit{Server: u.Server, Egg: u.Egg} }

// SecretPath is the path of one of the unit's secrets.
func (u *Unit) SecretPath(t secrets.Type) secrets.Path { return u.Key().Path(t) }
