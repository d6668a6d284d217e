package gitlabsim

import (
	"cmp"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func handleUser(c *call) *reply {
	u := c.user
	m := map[string]any{
		"id": u.ID, "username": u.Username, "name": u.Name, "state": "active",
		"locked": false, "avatar_url": nil, "web_url": c.base + "/" + u.Username,
		"created_at": ts(epoch), "bio": "", "location": "", "public_email": nil,
		"linkedin": "", "twitter": "", "discord": "", "website_url": "",
		"organization": "", "job_title": "", "pronouns": nil, "bot": u.Bot,
		"work_information": nil, "local_time": nil, "last_sign_in_at": nil,
		"confirmed_at": ts(epoch), "last_activity_on": nil, "email": u.Email,
		"theme_id": 3, "color_scheme_id": 1, "projects_limit": 100000,
		"current_sign_in_at": nil, "identities": []any{}, "can_create_group": !u.Bot,
		"can_create_project": !u.Bot, "two_factor_enabled": false, "external": false,
		"private_profile": false, "commit_email": u.Email,
	}
	if u.Admin {
		m["is_admin"] = true
		m["note"] = nil
	}
	return jsonReply(http.StatusOK, m)
}

func handleVersion(c *call) *reply {
	in := c.w.Instance
	return jsonReply(http.StatusOK, map[string]any{
		"version": in.Version, "revision": in.Revision,
		"kas":        map[string]any{"enabled": false, "externalUrl": nil, "version": nil},
		"enterprise": in.Tier != TierCE,
	})
}

// findProject looks a project up by id or full path. A project the caller
// may not read is "404 Project Not Found", as if it did not exist; a job
// token reaches only its own project.
func (c *call) findProject() (*Project, *reply) {
	p := byIDOrPath(c.path["id"], c.w.projects, c.w.ProjectByPath)
	if p == nil || !c.w.canReadProject(c.user, p) || (c.job != nil && c.job.Project != p) {
		return nil, notFound("Project")
	}
	return p, nil
}

// maintainedProject finds the project and checks the caller is at least
// Maintainer there: 403 if not.
func (c *call) maintainedProject() (*Project, *reply) {
	p, rep := c.findProject()
	if rep != nil {
		return nil, rep
	}
	if c.w.projectAccess(c.user, p) < Maintainer {
		return nil, forbidden("")
	}
	return p, nil
}

// findGroup looks a group up by id or full path; unreadable is 404.
func (c *call) findGroup() (*Group, *reply) {
	g := byIDOrPath(c.path["id"], c.w.groups, c.w.GroupByPath)
	if g == nil || !c.w.canReadGroup(c.user, g) || c.job != nil {
		return nil, notFound("Group")
	}
	return g, nil
}

// byIDOrPath reads a path parameter as GitLab does: a number is an id,
// anything else a full path.
func byIDOrPath[T any](id string, byID map[int64]*T, byPath func(string) *T) *T {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return byID[n]
	}
	return byPath(id)
}

func handleGetProject(c *call) *reply {
	p, rep := c.findProject()
	if rep != nil {
		return rep
	}
	return jsonReply(http.StatusOK, c.projectWithAccess(p))
}

// handleGetGroup also lists up to 100 of the group's own and shared projects
// unless with_projects=false, as the (deprecated) GitLab default does.
func handleGetGroup(c *call) *reply {
	g, rep := c.findGroup()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	withProjects, set := d.boolean("with_projects")
	if bad := d.bad(); bad != nil {
		return bad
	}
	e := c.group(g)
	if withProjects || !set {
		own := c.visible(sortedByID(g.projects))
		shared := c.visible(sortedByID(g.shared))
		e.Projects = c.projectList(own[:min(len(own), maxPerPage)])
		e.SharedProjects = c.projectList(shared[:min(len(shared), maxPerPage)])
	}
	return jsonReply(http.StatusOK, e)
}

func sortedByID(ps []*Project) []*Project {
	out := append([]*Project(nil), ps...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (c *call) visible(ps []*Project) []*Project {
	out := make([]*Project, 0, len(ps))
	for _, p := range ps {
		if c.w.canReadProject(c.user, p) {
			out = append(out, p)
		}
	}
	return out
}

func (c *call) projectList(ps []*Project) *[]projectEntity {
	out := make([]projectEntity, 0, len(ps))
	for _, p := range ps {
		out = append(out, c.project(p))
	}
	return &out
}

// handleSubgroups lists the direct subgroups the caller can see, by name.
func handleSubgroups(c *call) *reply {
	g, rep := c.findGroup()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	search, _ := d.str("search")
	owned, _ := d.boolean("owned")
	minLevel, _ := d.integer("min_access_level")
	if bad := d.bad(); bad != nil {
		return bad
	}
	if owned {
		minLevel = int64(Owner)
	}
	var out []*Group
	for _, sub := range g.children {
		switch {
		case !c.w.canReadGroup(c.user, sub):
		case minLevel > 0 && int64(c.w.groupAccess(c.user, sub)) < minLevel:
		case search != "" && !containsFold(sub.Name+" "+sub.Path, search):
		default:
			out = append(out, sub)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return paginate(c, out, func(x *Group) any { return c.group(x) })
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// projectQuery is what GET /groups/:id/projects was asked.
type projectQuery struct {
	archived, archivedSet bool
	subgroups, shared     bool
	simple                bool
	orderBy, sort         string
	search, visibility    string
	minLevel              int64
}

func (c *call) readProjectQuery() (projectQuery, *reply) {
	d := c.decoder()
	q := projectQuery{shared: true, orderBy: "created_at", sort: "desc"}
	q.archived, q.archivedSet = d.boolean("archived")
	q.subgroups, _ = d.boolean("include_subgroups")
	if v, ok := d.boolean("with_shared"); ok {
		q.shared = v // GitLab's default is true
	}
	q.simple, _ = d.boolean("simple")
	if v, ok := d.str("order_by"); ok {
		d.oneOf("order_by", v, "id", "name", "path", "created_at", "updated_at",
			"last_activity_at", "similarity", "star_count")
		q.orderBy = v
	}
	if v, ok := d.str("sort"); ok {
		d.oneOf("sort", v, "asc", "desc")
		q.sort = v
	}
	q.search, _ = d.str("search")
	q.visibility, _ = d.str("visibility")
	q.minLevel, _ = d.integer("min_access_level")
	if owned, _ := d.boolean("owned"); owned {
		q.minLevel = int64(Owner)
	}
	return q, d.bad()
}

// handleGroupProjects lists a group's projects: its own (and its subgroups'
// with include_subgroups), plus projects shared into the group itself unless
// with_shared=false. Shares into subgroups are not followed, as in GitLab.
func handleGroupProjects(c *call) *reply {
	g, rep := c.findGroup()
	if rep != nil {
		return rep
	}
	q, bad := c.readProjectQuery()
	if bad != nil {
		return bad
	}
	own := g.projects
	if q.subgroups {
		own = c.w.subtreeProjects(g)
	}
	list := c.filterProjects(own, q)
	if q.shared && len(g.shared) > 0 {
		seen := make(map[int64]bool, len(list))
		for _, p := range list {
			seen[p.ID] = true
		}
		for _, p := range c.filterProjects(g.shared, q) {
			if !seen[p.ID] {
				list = append(list, p)
				seen[p.ID] = true
			}
		}
	}
	sortProjects(list, q.orderBy, q.sort)
	if q.simple {
		return paginate(c, list, func(p *Project) any { return c.basicProject(p) })
	}
	return paginate(c, list, func(p *Project) any { return c.project(p) })
}

func (c *call) filterProjects(ps []*Project, q projectQuery) []*Project {
	out := make([]*Project, 0, len(ps))
	for _, p := range ps {
		switch {
		case q.archivedSet && p.Archived != q.archived:
		case q.visibility != "" && p.Visibility != q.visibility:
		case q.search != "" && !containsFold(p.Name+" "+p.Path, q.search):
		case !c.w.canReadProject(c.user, p):
		case q.minLevel > 0 && int64(c.w.projectAccess(c.user, p)) < q.minLevel:
		default:
			out = append(out, p)
		}
	}
	return out
}

// sortProjects orders by the requested column with the id as tie-breaker.
// Creation, update and activity times all follow creation order here. Lists
// come sorted by id, which is usually creation order too: then a check and a
// reversal replace the sort.
func sortProjects(ps []*Project, orderBy, dir string) {
	var key func(a, b *Project) int
	switch orderBy {
	case "name":
		key = func(a, b *Project) int { return strings.Compare(a.Name, b.Name) }
	case "path":
		key = func(a, b *Project) int { return strings.Compare(a.Path, b.Path) }
	case "id":
		key = func(a, b *Project) int { return 0 }
	default:
		key = func(a, b *Project) int { return a.CreatedAt.Compare(b.CreatedAt) }
	}
	asc := func(a, b *Project) int {
		if k := key(a, b); k != 0 {
			return k
		}
		return cmp.Compare(a.ID, b.ID)
	}
	if !slices.IsSortedFunc(ps, asc) {
		slices.SortStableFunc(ps, asc)
	}
	if dir != "asc" {
		slices.Reverse(ps)
	}
}
