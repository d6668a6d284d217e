package gitlab

import (
	"context"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// perPage is the page size of every list: GitLab's largest.
const perPage = 100

// User is the account a token belongs to.
type User struct {
	ID       int64
	Username string
	Admin    bool
	Bot      bool
}

// CurrentUser returns the account of the client's token.
func (c *Client) CurrentUser(ctx context.Context) (User, error) {
	u, resp, err := c.api.Users.CurrentUser(budgeted(ctx))
	if err != nil {
		return User{}, wrap("get current user", resp, err)
	}
	return User{ID: u.ID, Username: u.Username, Admin: u.IsAdmin, Bot: u.Bot}, nil
}

// Namespace is the group or user a project lives in.
type Namespace struct {
	ID       int64
	FullPath string
	Kind     string // "group" or "user"
}

// Project is a project as discovery and planning see it.
type Project struct {
	ID        int64
	Path      string // path_with_namespace
	Archived  bool
	Namespace Namespace
}

func project(p *gl.Project) Project {
	out := Project{ID: p.ID, Path: p.PathWithNamespace, Archived: p.Archived}
	if ns := p.Namespace; ns != nil {
		out.Namespace = Namespace{ID: ns.ID, FullPath: ns.FullPath, Kind: ns.Kind}
	}
	return out
}

// Project returns one project.
func (c *Client) Project(ctx context.Context, id int64) (Project, error) {
	p, resp, err := c.api.Projects.GetProject(id, nil, budgeted(ctx))
	if err != nil {
		return Project{}, wrap(fmt.Sprintf("get project %d", id), resp, err)
	}
	return project(p), nil
}

// Group is a GitLab group.
type Group struct {
	ID       int64
	Name     string
	FullPath string
}

// Group returns one group, without its projects.
func (c *Client) Group(ctx context.Context, id int64) (Group, error) {
	opt := &gl.GetGroupOptions{WithProjects: gl.Ptr(false)}
	g, resp, err := c.api.Groups.GetGroup(id, opt, budgeted(ctx))
	if err != nil {
		return Group{}, wrap(fmt.Sprintf("get group %d", id), resp, err)
	}
	return Group{ID: g.ID, Name: g.Name, FullPath: g.FullPath}, nil
}

// Discovery says which of a group's projects GroupProjects lists.
type Discovery struct {
	IncludeSubgroups bool // projects of subgroups too
	IncludeArchived  bool // archived projects too
	IncludeShared    bool // projects shared into the group from elsewhere
}

// GroupProjects lists a group's projects, every page, in ascending id
// order. Without IncludeArchived, GitLab filters archived projects out.
func (c *Client) GroupProjects(ctx context.Context, groupID int64,
	d Discovery) ([]Project, error) {
	opt := &gl.ListGroupProjectsOptions{
		ListOptions:      gl.ListOptions{PerPage: perPage},
		IncludeSubGroups: gl.Ptr(d.IncludeSubgroups),
		WithShared:       gl.Ptr(d.IncludeShared),
		// Ordering by id keeps pages stable while projects are created.
		OrderBy: gl.Ptr("id"),
		Sort:    gl.Ptr("asc"),
	}
	if !d.IncludeArchived {
		// Every answer is then unarchived, so the simple view, which has
		// no archived field but costs GitLab far less, is enough.
		opt.Archived = gl.Ptr(false)
		opt.Simple = gl.Ptr(true)
	}
	var out []Project
	err := pages(func(page int64) (*gl.Response, error) {
		opt.Page = page
		ps, resp, err := c.api.Groups.ListGroupProjects(groupID, opt, budgeted(ctx))
		for _, p := range ps {
			out = append(out, project(p))
		}
		return resp, err
	})
	if err != nil {
		return nil, wrapPage(fmt.Sprintf("list projects of group %d", groupID), err)
	}
	return out, nil
}

// pageError is a failed page of a list, with the answer to it.
type pageError struct {
	page int64
	resp *gl.Response
	err  error
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// pages calls fetch for page 1, 2, … as long as GitLab's X-Next-Page names
// a next one. GitLab leaves out the totals above 10,000 results, so they are
// never relied on.
func pages(fetch func(page int64) (*gl.Response, error)) error {
	for page := int64(1); ; {
		resp, err := fetch(page)
		if err != nil {
			return &pageError{page: page, resp: resp, err: err}
		}
		switch {
		case resp.NextPage == 0:
			return nil
		case resp.NextPage <= page:
			return fmt.Errorf("page %d names page %d as the next one", page, resp.NextPage)
		}
		page = resp.NextPage
	}
}

// wrapPage wraps the error of pages for op, naming the page when it was
// not the first.
func wrapPage(op string, err error) error {
	pe, ok := err.(*pageError)
	if !ok {
		return &Error{Op: op, err: err}
	}
	if pe.page > 1 {
		op = fmt.Sprintf("%s (page %d)", op, pe.page)
	}
	return wrap(op, pe.resp, pe.err)
}
