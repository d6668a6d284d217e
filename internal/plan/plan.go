// Package plan observes GitLab and the secret store, compares them with the
// desired state, and lists the actions that would make them match. Planning
// is read-only: it sends GET requests and reads secrets, nothing else.
package plan

import (
	"fmt"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// FormatVersion is the version of the plan's JSON form; it changes only
// when a field changes meaning or goes away.
const FormatVersion = "1"

// Plan is what would change, unit by unit.
type Plan struct {
	FormatVersion string  `json:"format_version"`
	Units         []*Unit `json:"units"`
}

// Unit is the plan of one (egg, server) pair.
type Unit struct {
	Egg    string       `json:"egg"`
	Server string       `json:"server"`
	Kind   desired.Kind `json:"kind,omitempty"`
	// Removed units are in the secret store but no longer in the nest.
	Removed bool `json:"removed,omitempty"`
	// Source is file:line of the egg's declaration.
	Source string `json:"source,omitempty"`

	RunnerID int64 `json:"runner_id,omitempty"`
	// Replaces is a runner that carries the unit's marker but cannot serve
	// it, being of another type or in another group: GitLab changes
	// neither. Apply deletes it once the unit's runner serves every target,
	// and only then lets the secret record name the new runner.
	Replaces int64     `json:"replaces_runner,omitempty"`
	Targets  []Target  `json:"targets"`
	Skipped  []Skipped `json:"skipped,omitempty"`
	Actions  []*Action `json:"actions"`
	Warnings []string  `json:"warnings,omitempty"`
	// Error says why the unit could not be planned; its Actions are then
	// empty and the other units go on.
	Error string `json:"error,omitempty"`

	unit   *desired.Unit // nil for a removed unit
	record *secrets.Record
	gl     *gitlab.Client
	owner  gitlab.Owner // where the runner is or will be registered
	seen   seen         // what a saved plan records of the objects observed
}

// Target is a project that a unit covers.
type Target struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
	// Via says how the unit reaches it: "project 12345" or "group 789".
	Via string `json:"via"`
}

// Skipped is a project that discovery found and left out.
type Skipped struct {
	ID     int64  `json:"id"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Op is what an action does.
type Op string

// The operations, in the order apply carries them out.
const (
	OpGenerate Op = "generate"    // a secret that apply makes and stores
	OpCreate   Op = "create"      // a runner or hook
	OpUpdate   Op = "update"      // fields of a runner or hook
	OpReset    Op = "reset-token" // a runner's token, stored afterwards
	OpEnable   Op = "enable"      // a runner on a project
	OpDisable  Op = "disable"     // a runner on a project
	OpDelete   Op = "delete"      // a runner or hook of a removed unit
	OpForget   Op = "forget"      // a removed unit's secret record
)

// Object is the kind of thing an action touches.
type Object string

// The objects.
const (
	ObjSecret Object = "secret"
	ObjRunner Object = "runner"
	ObjHook   Object = "hook"
)

// Action is one change.
type Action struct {
	Op     Op     `json:"op"`
	Object Object `json:"object"`
	// Secret names the secret of a secret action.
	Secret secrets.Type `json:"secret,omitempty"`
	// RunnerID is the runner acted on, 0 for one not yet created.
	RunnerID int64 `json:"runner_id,omitempty"`
	// ProjectID and Project name the project of an enablement or a hook.
	ProjectID int64  `json:"project_id,omitempty"`
	Project   string `json:"project,omitempty"`
	HookID    int64  `json:"hook_id,omitempty"`
	// Changes lists the fields that change; a create lists every field.
	Changes []Change `json:"changes,omitempty"`
	// Reason says why, where the fields alone do not.
	Reason string `json:"reason,omitempty"`
}

// Change is one field's old and new value, as text.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// changeList collects the fields that differ between an object and the
// wanted one; for an object not there yet, every field is new.
type changeList struct {
	create bool
	list   []Change
}

func (c *changeList) diff(field, old, new string) {
	switch {
	case c.create:
		c.list = append(c.list, Change{Field: field, New: new})
	case old != new:
		c.list = append(c.list, Change{Field: field, Old: old, New: new})
	}
}

// Counts are the numbers in the summary line.
type Counts struct {
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
}

// Kind sorts an action into the summary's three columns.
func (a *Action) Kind() string {
	switch a.Op {
	case OpGenerate, OpCreate, OpEnable:
		return "create"
	case OpUpdate, OpReset:
		return "update"
	}
	return "delete"
}

// Counts adds up the plan's actions.
func (p *Plan) Counts() Counts { return countActions(p.Units) }

// countActions adds up the actions of units.
func countActions(units []*Unit) Counts {
	var c Counts
	for _, u := range units {
		for _, a := range u.Actions {
			switch a.Kind() {
			case "create":
				c.Create++
			case "update":
				c.Update++
			default:
				c.Delete++
			}
		}
	}
	return c
}

// Changes reports whether applying the plan would change anything.
func (p *Plan) Changes() bool {
	c := p.Counts()
	return c.Create+c.Update+c.Delete > 0
}

// Errors counts the units that could not be planned.
func (p *Plan) Errors() int {
	n := 0
	for _, u := range p.Units {
		if u.Error != "" {
			n++
		}
	}
	return n
}

// Key is the unit's key in the secret store.
func (u *Unit) Key() secrets.Unit { return secrets.Unit{Server: u.Server, Egg: u.Egg} }

// Desired is the unit of the nest this plan is for; nil for a removed unit.
func (u *Unit) Desired() *desired.Unit { return u.unit }

func (u *Unit) String() string { return fmt.Sprintf("%s on %s", u.Egg, u.Server) }

// Client is the GitLab client the unit was observed with; nil when the
// unit could not be planned.
func (u *Unit) Client() *gitlab.Client { return u.gl }

// Owner is where the unit's runner is or will be registered.
func (u *Unit) Owner() gitlab.Owner { return u.owner }

// Record is the unit's secret record as the plan read it.
func (u *Unit) Record() *secrets.Record { return u.record }
