package plan

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// HookName is the name hatchery gives the hooks of egg; it carries the
// marker that recognises them.
func HookName(egg string) string { return desired.Marker(egg) }

// HookDescription carries the fingerprint of the secret last set on a hook:
// GitLab never returns a hook's token, so this is how a plan notices that
// the secret in the store was rotated.
func HookDescription(secret string) string {
	return "Managed by hatchery. Secret fingerprint: " + secrets.Fingerprint(secret) + "."
}

var fingerprintRE = regexp.MustCompile(`Secret fingerprint: ([0-9a-f]+)`)

// hookFingerprint is the fingerprint a hook's description records, or "".
func hookFingerprint(description string) string {
	if m := fingerprintRE.FindStringSubmatch(description); m != nil {
		return m[1]
	}
	return ""
}

// planHooks plans the webhook secret and the hook on every target, and
// the removal of the unit's hooks from the projects discovery now skips.
func (u *Unit) planHooks(ctx context.Context) error {
	want := u.unit.Webhook
	secret := u.record.Values[secrets.WebhookSecret]
	if want != nil && secret == "" {
		u.add(&Action{Op: OpGenerate, Object: ObjSecret, Secret: secrets.WebhookSecret,
			Reason: "32 random bytes, stored before any hook uses it"})
	}
	left := u.leftBehind(secret)
	perProject := make([][]*Action, len(u.Targets)+len(left))
	errs := make([]error, len(perProject))
	var wg sync.WaitGroup
	look := func(i int, id int64, decide func([]gitlab.Hook) []*Action) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hooks, err := u.gl.Hooks(ctx, id)
			if err != nil {
				errs[i] = err
				return
			}
			u.seen.sawHooks(id, hooks)
			perProject[i] = decide(hooks)
		}()
	}
	for i, t := range u.Targets {
		look(i, t.ID, func(hooks []gitlab.Hook) []*Action {
			return hookActions(u.Egg, t, want, secret, hooks)
		})
	}
	for i, sk := range left {
		look(len(u.Targets)+i, sk.ID, func(hooks []gitlab.Hook) []*Action {
			return skippedHookActions(u.Egg, sk, hooks)
		})
	}
	wg.Wait()
	for i := range perProject {
		if i >= len(u.Targets) && errs[i] != nil && unmanageable(errs[i]) {
			// The token may no longer manage a project it stopped
			// covering; it cannot remove a hook there, and that is no
			// reason to fail the unit.
			continue
		}
		if errs[i] != nil {
			return errs[i]
		}
		u.Actions = append(u.Actions, perProject[i]...)
	}
	return nil
}

// leftBehind lists the skipped projects that may still carry the unit's
// hook from when discovery took them in. Only a unit whose record holds a
// webhook secret can have made hooks; archived projects are read-only in
// GitLab, so their hooks are left as they are.
func (u *Unit) leftBehind(secret string) []Skipped {
	if secret == "" {
		return nil
	}
	var out []Skipped
	for _, sk := range u.Skipped {
		if sk.Reason != skipArchived {
			out = append(out, sk)
		}
	}
	return out
}

// unmanageable reports whether GitLab refused to show a project's hooks
// because the token may not manage them (403) or see the project (404).
func unmanageable(err error) bool {
	s := gitlab.StatusCode(err)
	return s == http.StatusForbidden || s == http.StatusNotFound
}

// skippedHookActions deletes the egg's hooks from a project it no longer
// covers; hooks of other eggs and of people stay.
func skippedHookActions(egg string, sk Skipped, hooks []gitlab.Hook) []*Action {
	var out []*Action
	for _, h := range hooks {
		if h.Name == HookName(egg) {
			out = append(out, &Action{Op: OpDelete, Object: ObjHook, ProjectID: sk.ID,
				Project: sk.Path, HookID: h.ID,
				Reason: "the egg no longer covers the project: " + sk.Reason})
		}
	}
	return out
}

// hookActions compares the hooks of one target with the hook it should
// have. A hook is the unit's when it carries the unit's name; failing that,
// a hook with the wanted URL is adopted, unless its name is another egg's
// marker: that hook is the other egg's to keep or delete, and taking it
// over would have one plan both update and delete it when an egg is
// renamed.
func hookActions(egg string, t Target, want *desired.Webhook, secret string,
	hooks []gitlab.Hook) []*Action {
	var mine []gitlab.Hook
	for _, h := range hooks {
		if h.Name == HookName(egg) {
			mine = append(mine, h)
		}
	}
	if len(mine) == 0 && want != nil {
		for _, h := range hooks {
			if other, ok := desired.ParseMarker(h.Name); ok && other != egg {
				continue
			}
			if h.URL == want.URL {
				mine = append(mine, h)
				break
			}
		}
	}
	act := func(op Op, h gitlab.Hook, reason string, ch []Change) *Action {
		return &Action{Op: op, Object: ObjHook, ProjectID: t.ID, Project: t.Path,
			HookID: h.ID, Reason: reason, Changes: ch}
	}
	if want == nil {
		var out []*Action
		for _, h := range mine {
			out = append(out, act(OpDelete, h, "the egg no longer declares a webhook", nil))
		}
		return out
	}
	if len(mine) == 0 {
		return []*Action{act(OpCreate, gitlab.Hook{}, "", hookFields(nil, egg, want, secret))}
	}
	var out []*Action
	if ch := hookFields(&mine[0], egg, want, secret); len(ch) > 0 {
		out = append(out, act(OpUpdate, mine[0], "", ch))
	}
	for _, h := range mine[1:] {
		out = append(out, act(OpDelete, h, "a second hook of the same egg", nil))
	}
	return out
}

// hookFields lists what differs between a hook and the wanted one (every
// field for a new hook). The secret is compared by fingerprint.
func hookFields(have *gitlab.Hook, egg string, want *desired.Webhook, secret string) []Change {
	var h gitlab.Hook
	if have != nil {
		h = *have
	}
	out := changeList{create: have == nil}
	diff := out.diff
	diff("url", h.URL, want.URL)
	diff("name", h.Name, HookName(egg))
	diff("events", list(h.Events), list(want.Events))
	diff("ssl_verification", strconv.FormatBool(h.SSLVerification),
		strconv.FormatBool(want.SSLVerification))
	newFP := "generated by apply"
	if secret != "" {
		newFP = "fingerprint " + secrets.Fingerprint(secret)
	}
	oldFP := "unknown"
	if fp := hookFingerprint(h.Description); fp != "" {
		oldFP = "fingerprint " + fp
	}
	diff("secret", oldFP, newFP)
	return out.list
}

func list(s []string) string {
	c := slices.Clone(s)
	slices.Sort(c)
	return "[" + strings.Join(c, ", ") + "]"
}

// hookSummary names a hook action for messages.
func hookSummary(a *Action) string {
	if a.HookID == 0 {
		return "hook on " + projectName(a)
	}
	return fmt.Sprintf("hook %d on %s", a.HookID, projectName(a))
}
