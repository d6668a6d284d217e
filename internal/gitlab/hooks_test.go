package gitlab

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"gitlab.com/hatchery/hatchery/internal/config"
)

// The .fly language and the adapter must agree on every event name, and
// each name must turn on the hook field the language says it does.
func TestHookEventsMatchTheLanguage(t *testing.T) {
	names := slices.Sorted(maps.Keys(config.HookEvents))
	if got := HookEvents(); !slices.Equal(got, names) {
		t.Fatalf("HookEvents() = %v\nconfig.HookEvents has %v", got, names)
	}
	for _, e := range hookEvents {
		t.Run(e.name, func(t *testing.T) {
			var o gl.AddProjectHookOptions
			*e.opt(&o) = gl.Ptr(true)
			var fields map[string]bool
			data, _ := json.Marshal(o)
			if err := json.Unmarshal(data, &fields); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{config.HookEvents[e.name]: true}
			if !maps.Equal(fields, want) {
				t.Errorf("event %s sets %v, want %v", e.name, fields, want)
			}

			var h gl.ProjectHook
			if err := json.Unmarshal([]byte(`{"`+config.HookEvents[e.name]+`":true}`),
				&h); err != nil {
				t.Fatal(err)
			}
			if got := hook(&h).Events; !slices.Equal(got, []string{e.name}) {
				t.Errorf("a hook with %s reads as events %v", config.HookEvents[e.name], got)
			}
		})
	}
}
