package gitlabsim

import (
	"encoding/json"
	"sort"
)

// The world as JSON for tests to read: ordered by id, so the same world
// always dumps the same bytes. Secrets (access tokens, runner tokens, hook
// tokens) appear only as SHA-256 hashes.

type dumpWorld struct {
	Instance dumpInstance  `json:"instance"`
	Users    []dumpUser    `json:"users"`
	Groups   []dumpGroup   `json:"groups"`
	Projects []dumpProject `json:"projects"`
	Runners  []dumpRunner  `json:"runners"`
}

type dumpInstance struct {
	Version         string `json:"version"`
	Tier            string `json:"tier"`
	AllowLocalHooks bool   `json:"allow_local_hooks,omitempty"`
	Now             string `json:"now"`
}

type dumpUser struct {
	ID       int64       `json:"id"`
	Username string      `json:"username"`
	Admin    bool        `json:"admin,omitempty"`
	Bot      bool        `json:"bot,omitempty"`
	Tokens   []dumpToken `json:"tokens,omitempty"`
}

type dumpToken struct {
	Kind      string   `json:"kind"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expires_at,omitempty"`
	Revoked   bool     `json:"revoked,omitempty"`
	SHA256    string   `json:"sha256"`
}

type dumpMember struct {
	User   string `json:"user"`
	Access string `json:"access"`
}

type dumpGroup struct {
	ID         int64        `json:"id"`
	FullPath   string       `json:"full_path"`
	ParentID   int64        `json:"parent_id,omitempty"`
	Visibility string       `json:"visibility"`
	Members    []dumpMember `json:"members,omitempty"`
	Hooks      []dumpHook   `json:"hooks,omitempty"`
}

type dumpShare struct {
	Group  string `json:"group"`
	Access string `json:"access"`
}

type dumpProject struct {
	ID            int64        `json:"id"`
	Path          string       `json:"path_with_namespace"`
	Visibility    string       `json:"visibility"`
	Archived      bool         `json:"archived,omitempty"`
	Members       []dumpMember `json:"members,omitempty"`
	SharedWith    []dumpShare  `json:"shared_with,omitempty"`
	Hooks         []dumpHook   `json:"hooks,omitempty"`
	MergeRequests []dumpMR     `json:"merge_requests,omitempty"`
}

type dumpHook struct {
	ID                    int64    `json:"id"`
	URL                   string   `json:"url"`
	Name                  string   `json:"name,omitempty"`
	Description           string   `json:"description,omitempty"`
	Events                []string `json:"events"`
	EnableSSLVerification bool     `json:"enable_ssl_verification"`
	HasToken              bool     `json:"has_token"`
	TokenSHA256           string   `json:"token_sha256,omitempty"`
}

type dumpMR struct {
	IID   int64      `json:"iid"`
	Title string     `json:"title"`
	Notes []dumpNote `json:"notes,omitempty"`
}

type dumpNote struct {
	ID     int64  `json:"id"`
	Author string `json:"author"`
	Body   string `json:"body"`
}

type dumpRunner struct {
	ID              int64    `json:"id"`
	Type            string   `json:"runner_type"`
	Description     string   `json:"description"`
	Paused          bool     `json:"paused"`
	Locked          bool     `json:"locked"`
	RunUntagged     bool     `json:"run_untagged"`
	TagList         []string `json:"tag_list"`
	AccessLevel     string   `json:"access_level"`
	MaximumTimeout  int64    `json:"maximum_timeout,omitempty"`
	MaintenanceNote string   `json:"maintenance_note,omitempty"`
	Group           string   `json:"group,omitempty"`
	Projects        []int64  `json:"projects,omitempty"`
	TokenSHA256     string   `json:"token_sha256"`
}

// Dump is the world as indented JSON, secrets hashed.
func (w *World) Dump() ([]byte, error) {
	d := dumpWorld{Instance: dumpInstance{Version: w.Instance.Version, Tier: w.Instance.Tier,
		AllowLocalHooks: w.Instance.AllowLocalHooks, Now: ts(w.clock)},
		Users: []dumpUser{}, Groups: []dumpGroup{}, Projects: []dumpProject{},
		Runners: []dumpRunner{}}
	tokens := w.tokensByUser()
	for _, u := range byID(w.users) {
		d.Users = append(d.Users, dumpUser{ID: u.ID, Username: u.Username, Admin: u.Admin,
			Bot: u.Bot, Tokens: tokens[u.ID]})
	}
	for _, g := range byID(w.groups) {
		dg := dumpGroup{ID: g.ID, FullPath: g.fullPath, Visibility: g.Visibility,
			Members: w.dumpMembers(g.members), Hooks: dumpHooks(g.hooks)}
		if g.Parent != nil {
			dg.ParentID = g.Parent.ID
		}
		d.Groups = append(d.Groups, dg)
	}
	for _, p := range w.sortedProjects() {
		d.Projects = append(d.Projects, w.dumpProject(p))
	}
	for _, r := range w.Runners() {
		d.Runners = append(d.Runners, dumpRunnerOf(r))
	}
	return json.MarshalIndent(d, "", "  ")
}

func (w *World) tokensByUser() map[int64][]dumpToken {
	var all []*Token
	for _, t := range w.tokens {
		all = append(all, t)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	out := map[int64][]dumpToken{}
	for _, t := range all {
		dt := dumpToken{Kind: t.Kind, Scopes: append([]string{}, t.Scopes...),
			Revoked: t.Revoked, SHA256: hashHex(t.Value)}
		if !t.ExpiresAt.IsZero() {
			dt.ExpiresAt = t.ExpiresAt.Format("2006-01-02")
		}
		out[t.User.ID] = append(out[t.User.ID], dt)
	}
	return out
}

func (w *World) dumpMembers(m map[int64]AccessLevel) []dumpMember {
	var out []dumpMember
	for id, l := range m {
		out = append(out, dumpMember{User: w.users[id].Username, Access: l.String()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].User < out[j].User })
	return out
}

func (w *World) dumpProject(p *Project) dumpProject {
	dp := dumpProject{ID: p.ID, Path: p.PathWithNamespace(), Visibility: p.Visibility,
		Archived: p.Archived, Members: w.dumpMembers(p.members),
		Hooks: dumpHooks(p.hooks)}
	for _, s := range p.shares {
		dp.SharedWith = append(dp.SharedWith, dumpShare{Group: s.Group.fullPath,
			Access: s.Access.String()})
	}
	for _, mr := range p.mrs {
		dm := dumpMR{IID: mr.IID, Title: mr.Title}
		for _, n := range mr.notes {
			dm.Notes = append(dm.Notes, dumpNote{ID: n.ID, Author: n.Author.Username,
				Body: n.Body})
		}
		dp.MergeRequests = append(dp.MergeRequests, dm)
	}
	return dp
}

func dumpHooks(hs []*Hook) []dumpHook {
	var out []dumpHook
	for _, h := range hs {
		dh := dumpHook{ID: h.ID, URL: h.URL, Name: h.Name, Description: h.Description,
			Events: []string{}, EnableSSLVerification: h.EnableSSLVerification,
			HasToken: h.HasToken(), TokenSHA256: h.TokenHash()}
		for _, e := range h.eventNames() {
			if h.Events[e] {
				dh.Events = append(dh.Events, e)
			}
		}
		out = append(out, dh)
	}
	return out
}

func dumpRunnerOf(r *Runner) dumpRunner {
	dr := dumpRunner{ID: r.ID, Type: r.Type, Description: r.Description, Paused: r.Paused,
		Locked: r.Locked, RunUntagged: r.RunUntagged,
		TagList: append([]string{}, r.TagList...), AccessLevel: r.AccessLevel,
		MaximumTimeout: r.MaximumTimeout, MaintenanceNote: r.MaintenanceNote,
		TokenSHA256: hashHex(r.Token)}
	if r.Group != nil {
		dr.Group = r.Group.fullPath
	}
	for _, p := range r.Projects {
		dr.Projects = append(dr.Projects, p.ID)
	}
	return dr
}
