package gitlab

import (
	"context"
	"errors"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// Owner is where a runner is registered: a project or a group.
type Owner struct {
	Group bool
	ID    int64
}

// ProjectOwner is the project with the given id as a runner's owner.
func ProjectOwner(id int64) Owner { return Owner{ID: id} }

// GroupOwner is the group with the given id as a runner's owner.
func GroupOwner(id int64) Owner { return Owner{Group: true, ID: id} }

func (o Owner) String() string {
	if o.Group {
		return fmt.Sprintf("group %d", o.ID)
	}
	return fmt.Sprintf("project %d", o.ID)
}

// RunnerSummary is a runner as a list shows it; Runner has the rest.
type RunnerSummary struct {
	ID          int64
	Description string
	Paused      bool
	Type        string // "project_type", "group_type" or "instance_type"
}

func runnerSummary(r *gl.Runner) RunnerSummary {
	return RunnerSummary{ID: r.ID, Description: r.Description, Paused: r.Paused,
		Type: r.RunnerType}
}

// Runners lists the runners registered to owner: project runners of a
// project, group runners of a group. Runners that are merely enabled in a
// project, or inherited from a parent group, are listed too when GitLab
// counts them of that type.
func (c *Client) Runners(ctx context.Context, owner Owner) ([]RunnerSummary, error) {
	var out []RunnerSummary
	keep := func(rs []*gl.Runner) {
		for _, r := range rs {
			out = append(out, runnerSummary(r))
		}
	}
	list := gl.ListOptions{PerPage: perPage}
	err := pages(func(page int64) (*gl.Response, error) {
		list.Page = page
		if owner.Group {
			opt := &gl.ListGroupsRunnersOptions{ListOptions: list, Type: gl.Ptr("group_type")}
			rs, resp, err := c.api.Runners.ListGroupsRunners(owner.ID, opt, budgeted(ctx))
			keep(rs)
			return resp, err
		}
		opt := &gl.ListProjectRunnersOptions{ListOptions: list, Type: gl.Ptr("project_type")}
		rs, resp, err := c.api.Runners.ListProjectRunners(owner.ID, opt, budgeted(ctx))
		keep(rs)
		return resp, err
	})
	if err != nil {
		return nil, wrapPage("list runners of "+owner.String(), err)
	}
	return out, nil
}

// OwnedRunners lists the runners of type typ ("project_type" or
// "group_type") that the token's user may manage (GET /runners): project
// runners enabled in any project where it is at least Maintainer, and group
// runners of the groups it owns and their subgroups. One paged call finds a
// runner wherever it is registered or enabled, without a request per
// project.
func (c *Client) OwnedRunners(ctx context.Context, typ string) ([]RunnerSummary, error) {
	var out []RunnerSummary
	opt := &gl.ListRunnersOptions{ListOptions: gl.ListOptions{PerPage: perPage},
		Type: gl.Ptr(typ)}
	err := pages(func(page int64) (*gl.Response, error) {
		opt.Page = page
		rs, resp, err := c.api.Runners.ListRunners(opt, budgeted(ctx))
		for _, r := range rs {
			out = append(out, runnerSummary(r))
		}
		return resp, err
	})
	if err != nil {
		return nil, wrapPage("list the runners the token manages", err)
	}
	return out, nil
}

// Runner is a runner's settings and where it is enabled.
type Runner struct {
	ID              int64
	Type            string
	Description     string
	MaintenanceNote string
	Tags            []string
	RunUntagged     bool
	Locked          bool
	Paused          bool
	AccessLevel     string // "not_protected" or "ref_protected"
	MaximumTimeout  int    // seconds; 0 when unset
	Projects        []int64
	// ProjectPaths holds the path with namespace of each project in
	// Projects, by id, as GitLab returns it with the runner.
	ProjectPaths map[int64]string
	Groups       []int64
}

func runner(r *gl.RunnerDetails) Runner {
	out := Runner{
		ID: r.ID, Type: r.RunnerType, Description: r.Description,
		MaintenanceNote: r.MaintenanceNote, Tags: r.TagList, RunUntagged: r.RunUntagged,
		Locked: r.Locked, Paused: r.Paused, AccessLevel: r.AccessLevel,
		MaximumTimeout: int(r.MaximumTimeout),
	}
	if len(r.Projects) > 0 {
		out.ProjectPaths = make(map[int64]string, len(r.Projects))
	}
	for _, p := range r.Projects {
		out.Projects = append(out.Projects, p.ID)
		out.ProjectPaths[p.ID] = p.PathWithNamespace
	}
	for _, g := range r.Groups {
		out.Groups = append(out.Groups, g.ID)
	}
	return out
}

// Runner returns one runner's details.
func (c *Client) Runner(ctx context.Context, id int64) (Runner, error) {
	r, resp, err := c.api.Runners.GetRunnerDetails(id, budgeted(ctx))
	if err != nil {
		return Runner{}, wrap(fmt.Sprintf("get runner %d", id), resp, err)
	}
	return runner(r), nil
}

// RunnerSettings are what hatchery sets on a runner it creates.
type RunnerSettings struct {
	Description     string
	MaintenanceNote string
	Tags            []string
	RunUntagged     bool
	Locked          bool
	Paused          bool
	AccessLevel     string // empty leaves GitLab's default
	MaximumTimeout  int    // seconds; 0 leaves it unset
}

// CreatedRunner is a new runner and the token it authenticates with.
type CreatedRunner struct {
	ID    int64
	Token string
}

// CreateRunner registers a new runner to owner (POST /user/runners). It is
// never retried after an unclear failure: see Unclear.
func (c *Client) CreateRunner(ctx context.Context, owner Owner,
	s RunnerSettings) (CreatedRunner, error) {
	opt := &gl.CreateUserRunnerOptions{
		Description:     gl.Ptr(s.Description),
		MaintenanceNote: gl.Ptr(s.MaintenanceNote),
		TagList:         gl.Ptr(nonNil(s.Tags)),
		RunUntagged:     gl.Ptr(s.RunUntagged),
		Locked:          gl.Ptr(s.Locked),
		Paused:          gl.Ptr(s.Paused),
	}
	if owner.Group {
		opt.RunnerType, opt.GroupID = gl.Ptr("group_type"), gl.Ptr(owner.ID)
	} else {
		opt.RunnerType, opt.ProjectID = gl.Ptr("project_type"), gl.Ptr(owner.ID)
	}
	if s.AccessLevel != "" {
		opt.AccessLevel = gl.Ptr(s.AccessLevel)
	}
	if s.MaximumTimeout > 0 {
		opt.MaximumTimeout = gl.Ptr(int64(s.MaximumTimeout))
	}
	r, resp, err := c.api.Users.CreateUserRunner(opt, budgeted(ctx))
	if err != nil {
		return CreatedRunner{}, wrap("create runner for "+owner.String(), resp, err)
	}
	return CreatedRunner{ID: r.ID, Token: r.Token}, nil
}

// RunnerUpdate names the fields UpdateRunner changes: nil fields are left
// as they are.
type RunnerUpdate struct {
	Description     *string
	MaintenanceNote *string
	Tags            *[]string
	RunUntagged     *bool
	Locked          *bool
	Paused          *bool
	AccessLevel     *string
	MaximumTimeout  *int // seconds
}

// UpdateRunner changes the given fields of a runner and returns it as
// GitLab then has it.
func (c *Client) UpdateRunner(ctx context.Context, id int64, u RunnerUpdate) (Runner, error) {
	opt := &gl.UpdateRunnerDetailsOptions{
		Description:     u.Description,
		MaintenanceNote: u.MaintenanceNote,
		RunUntagged:     u.RunUntagged,
		Locked:          u.Locked,
		Paused:          u.Paused,
		AccessLevel:     u.AccessLevel,
	}
	if u.Tags != nil {
		opt.TagList = gl.Ptr(nonNil(*u.Tags))
	}
	if u.MaximumTimeout != nil {
		opt.MaximumTimeout = gl.Ptr(int64(*u.MaximumTimeout))
	}
	r, resp, err := c.api.Runners.UpdateRunnerDetails(id, opt, budgeted(ctx))
	if err != nil {
		return Runner{}, wrap(fmt.Sprintf("update runner %d", id), resp, err)
	}
	return runner(r), nil
}

// ResetRunnerToken gives a runner a new authentication token and returns
// it; the old one stops working.
func (c *Client) ResetRunnerToken(ctx context.Context, id int64) (string, error) {
	t, resp, err := c.api.Runners.ResetRunnerAuthenticationToken(id, budgeted(ctx))
	if err != nil {
		return "", wrap(fmt.Sprintf("reset token of runner %d", id), resp, err)
	}
	if t.Token == nil || *t.Token == "" {
		return "", &Error{Op: fmt.Sprintf("reset token of runner %d", id), unclear: true,
			err: errors.New("the answer has no token")}
	}
	return *t.Token, nil
}

// DeleteRunner removes a runner.
func (c *Client) DeleteRunner(ctx context.Context, id int64) error {
	resp, err := c.api.Runners.RemoveRunner(id, budgeted(ctx))
	return wrap(fmt.Sprintf("delete runner %d", id), resp, err)
}

// EnableRunner lets a project use a project runner registered elsewhere.
func (c *Client) EnableRunner(ctx context.Context, projectID, runnerID int64) error {
	opt := &gl.EnableProjectRunnerOptions{RunnerID: runnerID}
	_, resp, err := c.api.Runners.EnableProjectRunner(projectID, opt, budgeted(ctx))
	return wrap(fmt.Sprintf("enable runner %d on project %d", runnerID, projectID), resp, err)
}

// DisableRunner stops a project from using a runner. GitLab refuses it for
// the project that owns the runner.
func (c *Client) DisableRunner(ctx context.Context, projectID, runnerID int64) error {
	resp, err := c.api.Runners.DisableProjectRunner(projectID, runnerID, budgeted(ctx))
	return wrap(fmt.Sprintf("disable runner %d on project %d", runnerID, projectID), resp, err)
}

// nonNil makes a nil list an empty one, so it is sent as [] and not left
// out.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
