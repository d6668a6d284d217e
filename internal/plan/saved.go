package plan

// A saved plan is what a reviewer approved: every action, and what the plan
// observed of each object an action touches. Applying it checks that the
// nest is the one planned and that no touched object moved since; then the
// actions of a fresh plan, which must be the same ones, are carried out.
// A saved plan holds no secret, masked or not: a secret record is saved as
// which secrets it holds and the fingerprint of the webhook secret, which
// GitLab shows in every hook's description anyway.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// SavedKind tells a saved plan from other JSON files.
const SavedKind = "hatchery-saved-plan"

// Saved is a plan as `plan --out` writes it.
type Saved struct {
	Kind            string `json:"kind"`
	FormatVersion   string `json:"format_version"`
	HatcheryVersion string `json:"hatchery_version"`
	// Nest is the directory the plan was made from, as given, and the hash
	// of its .fly files.
	Nest    SavedNest    `json:"nest"`
	Summary JSONSummary  `json:"summary"`
	Units   []*SavedUnit `json:"units"`
}

// SavedNest names the nest a plan was made from.
type SavedNest struct {
	Dir    string `json:"dir"`
	SHA256 string `json:"sha256"`
}

// SavedUnit is one unit's part of a saved plan.
type SavedUnit struct {
	Egg     string         `json:"egg"`
	Server  string         `json:"server"`
	Removed bool           `json:"removed,omitempty"`
	Error   string         `json:"error,omitempty"`
	Actions []*SavedAction `json:"actions"`
}

// SavedAction is an action and what the plan saw of the object it touches.
type SavedAction struct {
	*Action
	Observed Observed `json:"observed"`
}

// Observed is what a plan saw of one object: a runner, the unit's hooks on
// one project, or a secret record. Exists is false for an object that was
// not there, such as the runner that a create action makes.
type Observed struct {
	Object string          `json:"object"`
	Exists bool            `json:"exists"`
	Runner *ObservedRunner `json:"runner,omitempty"`
	Hooks  []ObservedHook  `json:"hooks,omitempty"`
	Record *ObservedRecord `json:"record,omitempty"`
}

// ObservedRunner are the fields of a runner that hatchery manages.
type ObservedRunner struct {
	ID              int64    `json:"id"`
	Type            string   `json:"type"`
	Description     string   `json:"description"`
	MaintenanceNote string   `json:"maintenance_note"`
	Tags            []string `json:"tags"`
	RunUntagged     bool     `json:"run_untagged"`
	Locked          bool     `json:"locked"`
	Paused          bool     `json:"paused"`
	AccessLevel     string   `json:"access_level"`
	MaximumTimeout  int      `json:"maximum_timeout"`
	Projects        []int64  `json:"projects"`
	Groups          []int64  `json:"groups"`
}

// ObservedHook is a project hook that is, or may become, the unit's.
type ObservedHook struct {
	ID              int64    `json:"id"`
	URL             string   `json:"url"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Events          []string `json:"events"`
	SSLVerification bool     `json:"ssl_verification"`
}

// ObservedRecord is a secret record without its secrets.
type ObservedRecord struct {
	RunnerID int64          `json:"runner_id"`
	Holds    []secrets.Type `json:"holds"`
	// WebhookFingerprint is the fingerprint of the webhook secret.
	WebhookFingerprint string `json:"webhook_fingerprint,omitempty"`
}

// seen keeps what the plan observed of a unit's runner and hooks, for the
// saved plan. Hooks are read by target at once, hence the lock.
type seen struct {
	mu     sync.Mutex
	runner *gitlab.Runner
	hooks  map[int64][]gitlab.Hook // by project
}

func (s *seen) sawRunner(r *gitlab.Runner) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runner = r
}

func (s *seen) sawHooks(project int64, hooks []gitlab.Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hooks == nil {
		s.hooks = map[int64][]gitlab.Hook{}
	}
	s.hooks[project] = hooks
}

// NestHash is the hash of a nest's files: their names and contents.
func NestHash(files []string, sources map[string][]byte) string {
	h := sha256.New()
	for _, name := range slices.Sorted(slices.Values(files)) {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(sources[name]))
		h.Write(sources[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Save returns the plan in saved form.
func (p *Plan) Save(nest SavedNest, version string) *Saved {
	j := p.JSON(version)
	s := &Saved{Kind: SavedKind, FormatVersion: FormatVersion, HatcheryVersion: version,
		Nest: nest, Summary: j.Summary}
	for _, u := range p.Units {
		su := &SavedUnit{Egg: u.Egg, Server: u.Server, Removed: u.Removed, Error: u.Error,
			Actions: []*SavedAction{}}
		for _, a := range u.Actions {
			su.Actions = append(su.Actions, &SavedAction{Action: a, Observed: u.observed(a)})
		}
		s.Units = append(s.Units, su)
	}
	return s
}

// observed is what the unit saw of the object that a touches.
func (u *Unit) observed(a *Action) Observed {
	u.seen.mu.Lock()
	defer u.seen.mu.Unlock()
	switch {
	case a.Object == ObjSecret:
		rec := u.record
		if rec == nil || (len(rec.Values) == 0 && rec.RunnerID == 0) {
			return Observed{Object: "secret record"}
		}
		o := &ObservedRecord{RunnerID: rec.RunnerID,
			Holds: slices.Sorted(maps.Keys(rec.Values))}
		if v := rec.Values[secrets.WebhookSecret]; v != "" {
			o.WebhookFingerprint = secrets.Fingerprint(v)
		}
		return Observed{Object: "secret record", Exists: true, Record: o}
	case a.Object == ObjRunner:
		r := u.seen.runner
		if r == nil {
			return Observed{Object: "runner"}
		}
		return Observed{Object: "runner", Exists: true, Runner: observedRunner(r)}
	}
	var hooks []ObservedHook
	for _, h := range u.seen.hooks[a.ProjectID] {
		if u.hookOfInterest(h) {
			hooks = append(hooks, ObservedHook{ID: h.ID, URL: h.URL, Name: h.Name,
				Description: h.Description, Events: h.Events,
				SSLVerification: h.SSLVerification})
		}
	}
	return Observed{Object: "hooks", Exists: len(hooks) > 0, Hooks: hooks}
}

// hookOfInterest reports whether h is, or could be taken for, the unit's
// hook: it carries the unit's name or the wanted URL.
func (u *Unit) hookOfInterest(h gitlab.Hook) bool {
	if h.Name == HookName(u.Egg) {
		return true
	}
	return u.unit != nil && u.unit.Webhook != nil && h.URL == u.unit.Webhook.URL
}

func observedRunner(r *gitlab.Runner) *ObservedRunner {
	return &ObservedRunner{ID: r.ID, Type: r.Type, Description: r.Description,
		MaintenanceNote: r.MaintenanceNote, Tags: sortedCopy(r.Tags),
		RunUntagged: r.RunUntagged, Locked: r.Locked, Paused: r.Paused,
		AccessLevel: r.AccessLevel, MaximumTimeout: r.MaximumTimeout,
		Projects: sortedCopy(r.Projects), Groups: sortedCopy(r.Groups)}
}

func sortedCopy[T string | int64](s []T) []T {
	c := slices.Clone(s)
	slices.Sort(c)
	return nonNil(c)
}

// Write writes the saved plan as indented JSON.
func (s *Saved) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write the saved plan: %w", err)
	}
	return nil
}

// ErrNotSaved says that a file is not a saved plan.
var ErrNotSaved = errors.New("not a saved plan")

// ReadSaved reads a saved plan.
func ReadSaved(r io.Reader) (*Saved, error) {
	var s Saved
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSaved, err)
	}
	if s.Kind != SavedKind {
		return nil, fmt.Errorf("%w: its kind is %q, not %q", ErrNotSaved, s.Kind, SavedKind)
	}
	if s.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("saved plan format %q is not the %q this hatchery reads",
			s.FormatVersion, FormatVersion)
	}
	return &s, nil
}

// Difference is one way in which a fresh plan differs from a saved one.
type Difference struct {
	Text string
	// Moved says that an object in GitLab or the secret store changed
	// since the plan; otherwise the fresh plan's actions differ from the
	// saved ones while what they touch did not move.
	Moved bool
}

func (d Difference) String() string { return d.Text }

// Drift compares a saved plan with a fresh plan of the same nest. It
// returns one difference per object that moved since the plan was saved
// and per action that the fresh plan adds, drops or does otherwise; none
// means the fresh plan does exactly what was saved. mask is applied to
// what both plans saw before they are compared, as the saved plan was
// masked when written.
func (s *Saved) Drift(fresh *Plan, mask func(string) string) []Difference {
	now := map[string]*Unit{}
	for _, u := range fresh.Units {
		now[u.String()] = u
	}
	var out []Difference
	seenUnits := map[string]bool{}
	for _, su := range s.Units {
		name := fmt.Sprintf("%s on %s", su.Egg, su.Server)
		seenUnits[name] = true
		u := now[name]
		if u == nil {
			out = append(out, Difference{Text: name + ": no longer in the plan"})
			continue
		}
		out = append(out, su.drift(u, mask)...)
	}
	for _, u := range fresh.Units {
		if n := len(u.Actions); !seenUnits[u.String()] && n > 0 {
			out = append(out, Difference{Text: fmt.Sprintf("%s: new in the plan, with %d %s",
				u, n, plural(n, "action", "actions"))})
		}
	}
	return out
}

// drift compares one unit's saved actions and observations with a fresh
// plan of it.
func (su *SavedUnit) drift(u *Unit, mask func(string) string) []Difference {
	var out []Difference
	if u.Error != su.Error {
		out = append(out, Difference{Text: fmt.Sprintf("%s: was %s, now %s", u,
			errText(su.Error), errText(u.Error))})
	}
	// What each touched object looked like, once per object.
	done, moved := map[string]bool{}, map[string]bool{}
	for _, sa := range su.Actions {
		key := objectKey(sa.Action)
		if done[key] {
			continue
		}
		done[key] = true
		now := u.observed(sa.Action)
		if canon(sa.Observed, mask) != canon(now, mask) {
			moved[key] = true
			out = append(out, Difference{Moved: true, Text: fmt.Sprintf(
				"%s: %s moved since the plan: %s", u, objectName(sa.Action),
				describeDrift(sa.Observed, now))})
		}
	}
	// The actions themselves, as a multiset of their JSON forms; those on
	// an object that moved are explained by its line above. An action
	// that only changes other fields now is one difference, not a gone
	// action and a new one.
	want := map[string]int{}
	for _, sa := range su.Actions {
		want[canon(sa.Action, mask)]++
	}
	var added, dropped []*Action
	for _, a := range u.Actions {
		k := canon(a, mask)
		if want[k] > 0 {
			want[k]--
			continue
		}
		if !moved[objectKey(a)] {
			added = append(added, a)
		}
	}
	for _, sa := range su.Actions {
		if k := canon(sa.Action, mask); want[k] > 0 {
			want[k]--
			if !moved[objectKey(sa.Action)] {
				dropped = append(dropped, sa.Action)
			}
		}
	}
	for _, a := range added {
		i := slices.IndexFunc(dropped, func(d *Action) bool { return d.Title() == a.Title() })
		if i < 0 {
			out = append(out, Difference{Text: fmt.Sprintf("%s: the plan now also would %s",
				u, a.Title())})
			continue
		}
		out = append(out, Difference{Text: fmt.Sprintf("%s: the plan would now %s "+
			"otherwise: %s", u, a.Title(), describeChanges(dropped[i], a, mask))})
		dropped = slices.Delete(dropped, i, i+1)
	}
	for _, d := range dropped {
		out = append(out, Difference{Text: fmt.Sprintf("%s: the plan no longer would %s",
			u, d.Title())})
	}
	return out
}

// describeChanges says how the fields an action changes differ between
// the saved action and the fresh one: field → new value, then the saved
// value in parentheses.
func describeChanges(was, now *Action, mask func(string) string) string {
	old := map[string]string{}
	for _, c := range was.Changes {
		old[c.Field] = c.New
	}
	var diffs []string
	for _, c := range now.Changes {
		if o, ok := old[c.Field]; !ok || o != c.New {
			diffs = append(diffs, fmt.Sprintf("%s → %s (the saved plan: %s)", c.Field,
				maskText(c.New, mask), maskText(orNone(o, ok), mask)))
		}
		delete(old, c.Field)
	}
	for _, f := range slices.Sorted(maps.Keys(old)) {
		diffs = append(diffs, fmt.Sprintf("%s no longer changes (the saved plan: → %s)",
			f, maskText(old[f], mask)))
	}
	if len(diffs) == 0 {
		return "its details differ"
	}
	return strings.Join(diffs, ", ")
}

func orNone(v string, ok bool) string {
	if !ok {
		return "unchanged"
	}
	return v
}

func maskText(v string, mask func(string) string) string {
	if mask == nil {
		return v
	}
	return mask(v)
}

func errText(e string) string {
	if e == "" {
		return "planned"
	}
	return "not planned (" + e + ")"
}

// objectKey names the object an action touches.
func objectKey(a *Action) string {
	switch a.Object {
	case ObjSecret:
		return "secret"
	case ObjRunner:
		return "runner"
	}
	return fmt.Sprintf("hooks/%d", a.ProjectID)
}

func objectName(a *Action) string {
	switch a.Object {
	case ObjSecret:
		return "the secret record"
	case ObjRunner:
		if a.RunnerID != 0 {
			return fmt.Sprintf("runner %d", a.RunnerID)
		}
		return "the runner"
	}
	return "the hooks on " + projectName(a)
}

// describeDrift says how an object changed: the fields that differ, or
// that it appeared or went away.
func describeDrift(was, now Observed) string {
	switch {
	case !was.Exists && now.Exists:
		return "it exists now"
	case was.Exists && !now.Exists:
		return "it is gone"
	}
	a, b := fields(was), fields(now)
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if a[k] != b[k] {
			diffs = append(diffs, fmt.Sprintf("%s %s → %s", k, a[k], b[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s → %s", k, b[k]))
		}
	}
	slices.Sort(diffs)
	if len(diffs) == 0 {
		return "changed"
	}
	return strings.Join(diffs, ", ")
}

// fields flattens an observation to field → JSON value.
func fields(o Observed) map[string]string {
	var v any
	switch {
	case o.Runner != nil:
		v = o.Runner
	case o.Record != nil:
		v = o.Record
	default:
		out := map[string]string{}
		for _, h := range o.Hooks {
			out[fmt.Sprintf("hook %d", h.ID)] = canon(h, nil)
		}
		return out
	}
	data, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	json.Unmarshal(data, &m)
	out := map[string]string{}
	for k, raw := range m {
		out[k] = string(raw)
	}
	return out
}

// canon is v's JSON form, masked.
func canon(v any, mask func(string) string) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if mask == nil {
		return string(data)
	}
	return mask(string(data))
}
