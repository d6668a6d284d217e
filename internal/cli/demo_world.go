package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/desired"
)

// demoFixture is a gitlabsim fixture for one server: every project and
// group that the nest names there, with the ids it names. Each group gets
// a few projects, a subgroup, an archived project and a project shared in
// from elsewhere, so that discovery has something to skip. Groups with ids
// from the nest come first, so the ids the simulator picks for the others
// cannot take theirs.
func demoFixture(state *desired.State, server string) []byte {
	type obj = map[string]any
	user := "hatchery-bot"
	var groups, projects, extraGroups, extraProjects []obj
	explicit := false
	for _, u := range state.Units {
		if u.Server != server {
			continue
		}
		for _, p := range u.Projects {
			explicit = true
			projects = append(projects, obj{"id": p.ID, "path": "acme/" + nameOf(p.Label, u.Egg)})
		}
		for _, g := range u.Groups {
			path := nameOf(g.Label, u.Egg)
			groups = append(groups, obj{"id": g.ID, "path": path, "members": obj{user: "owner"}})
			extraGroups = append(extraGroups, obj{"path": path + "/tools"},
				obj{"path": path + "-partners", "members": obj{user: "maintainer"}})
			for _, name := range []string{"api", "worker", "legacy-billing", "sandbox"} {
				extraProjects = append(extraProjects, obj{"path": path + "/" + name})
			}
			extraProjects = append(extraProjects,
				obj{"path": path + "/tools/ci-templates"},
				obj{"path": path + "/old-site", "archived": true},
				obj{"path": path + "-partners/sdk", "shared_with": obj{path: "developer"}})
		}
	}
	if explicit {
		extraGroups = append([]obj{{"path": "acme", "members": obj{user: "maintainer"}}},
			extraGroups...)
	}
	users := []obj{{"username": user,
		"tokens": []obj{{"value": demoToken(server), "scopes": []string{"api"}}}}}
	if server == servers(state)[0] {
		// The nest's own repository, with a merge request open on it, and
		// a bot whose token may comment there: what plan --mr-note needs.
		users = append(users, obj{"username": demoNoteUser,
			"tokens": []obj{{"value": demoNoteToken(server), "scopes": []string{"api"}}}})
		extraGroups = append(extraGroups, obj{"path": demoNestGroup,
			"members": obj{user: "maintainer", demoNoteUser: "reporter"}})
		extraProjects = append(extraProjects, obj{"path": demoNestProject,
			"merge_requests": []obj{{"iid": 1, "title": "Change the nest", "author": user}}})
	}
	fixture := obj{
		"users":    users,
		"groups":   append(groups, extraGroups...),
		"projects": append(projects, extraProjects...),
	}
	data, err := json.Marshal(fixture)
	if err != nil {
		panic(fmt.Sprintf("demo fixture: %v", err)) // only plain values above
	}
	return data
}

// The nest's own project in the demo world, and the bot that writes its
// merge request notes.
const (
	demoNestGroup   = "hatchery-demo"
	demoNestProject = demoNestGroup + "/nest"
	demoNoteUser    = "hatchery-notes"
)

// demoNoteToken is the note bot's token. It is shaped unlike a real token
// on purpose: demo --serve prints it for trying plan --mr-note by hand, and
// hatchery masks whatever looks like a GitLab token.
func demoNoteToken(server string) string {
	return "demo-note-token-" + strings.NewReplacer(".", "-", ":", "-").Replace(server)
}

// nameOf names a demo project or group after its repo label, else its egg.
func nameOf(label, egg string) string {
	if label != "" {
		return label
	}
	return egg
}
