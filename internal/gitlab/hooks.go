package gitlab

import (
	"context"
	"errors"
	"fmt"
	"slices"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// hookEvent ties an event name of the .fly language to the project hook
// field that turns it on.
type hookEvent struct {
	name string
	on   func(h *gl.ProjectHook) bool
	opt  func(o *gl.AddProjectHookOptions) **bool
}

// hookEvents are every event a hook can be set to, by name. The names are
// GitLab's object kinds, singular, as the .fly language has them.
var hookEvents = []hookEvent{
	{"confidential_issue", func(h *gl.ProjectHook) bool { return h.ConfidentialIssuesEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.ConfidentialIssuesEvents }},
	{"confidential_note", func(h *gl.ProjectHook) bool { return h.ConfidentialNoteEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.ConfidentialNoteEvents }},
	{"deployment", func(h *gl.ProjectHook) bool { return h.DeploymentEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.DeploymentEvents }},
	{"emoji", func(h *gl.ProjectHook) bool { return h.EmojiEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.EmojiEvents }},
	{"feature_flag", func(h *gl.ProjectHook) bool { return h.FeatureFlagEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.FeatureFlagEvents }},
	{"issue", func(h *gl.ProjectHook) bool { return h.IssuesEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.IssuesEvents }},
	{"job", func(h *gl.ProjectHook) bool { return h.JobEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.JobEvents }},
	{"merge_request", func(h *gl.ProjectHook) bool { return h.MergeRequestsEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.MergeRequestsEvents }},
	{"milestone", func(h *gl.ProjectHook) bool { return h.MilestoneEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.MilestoneEvents }},
	{"note", func(h *gl.ProjectHook) bool { return h.NoteEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.NoteEvents }},
	{"pipeline", func(h *gl.ProjectHook) bool { return h.PipelineEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.PipelineEvents }},
	{"push", func(h *gl.ProjectHook) bool { return h.PushEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.PushEvents }},
	{"release", func(h *gl.ProjectHook) bool { return h.ReleasesEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.ReleasesEvents }},
	{"resource_access_token", func(h *gl.ProjectHook) bool { return h.ResourceAccessTokenEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.ResourceAccessTokenEvents }},
	{"resource_deploy_token", func(h *gl.ProjectHook) bool { return h.ResourceDeployTokenEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.ResourceDeployTokenEvents }},
	{"tag_push", func(h *gl.ProjectHook) bool { return h.TagPushEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.TagPushEvents }},
	{"vulnerability", func(h *gl.ProjectHook) bool { return h.VulnerabilityEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.VulnerabilityEvents }},
	{"wiki_page", func(h *gl.ProjectHook) bool { return h.WikiPageEvents },
		func(o *gl.AddProjectHookOptions) **bool { return &o.WikiPageEvents }},
}

// HookEvents returns the names of every event a hook can be set to, sorted.
func HookEvents() []string {
	names := make([]string, len(hookEvents))
	for i, e := range hookEvents {
		names[i] = e.name
	}
	return names
}

// Hook is a project webhook. GitLab never returns a hook's secret token.
type Hook struct {
	ID              int64
	URL             string
	Name            string
	Description     string
	Events          []string // sorted names, see HookEvents
	SSLVerification bool
}

func hook(h *gl.ProjectHook) Hook {
	out := Hook{ID: h.ID, URL: h.URL, Name: h.Name, Description: h.Description,
		SSLVerification: h.EnableSSLVerification, Events: []string{}}
	for _, e := range hookEvents {
		if e.on(h) {
			out.Events = append(out.Events, e.name)
		}
	}
	return out
}

// HookSettings are everything hatchery sets on a hook.
type HookSettings struct {
	URL             string
	Name            string
	Description     string
	Events          []string // names from HookEvents; the others are turned off
	SSLVerification bool
	Token           string // the secret GitLab sends as X-Gitlab-Token
}

// options sets every event explicitly: GitLab turns push events on for a
// hook that does not mention them.
func (s HookSettings) options() (*gl.AddProjectHookOptions, error) {
	for _, name := range s.Events {
		known := func(e hookEvent) bool { return e.name == name }
		if !slices.ContainsFunc(hookEvents, known) {
			return nil, fmt.Errorf("unknown hook event %q", name)
		}
	}
	if s.Token == "" {
		return nil, errors.New("no secret token: GitLab would clear the hook's token")
	}
	o := &gl.AddProjectHookOptions{
		URL: gl.Ptr(s.URL), Name: gl.Ptr(s.Name), Description: gl.Ptr(s.Description),
		EnableSSLVerification: gl.Ptr(s.SSLVerification), Token: gl.Ptr(s.Token),
	}
	for _, e := range hookEvents {
		*e.opt(o) = gl.Ptr(slices.Contains(s.Events, e.name))
	}
	return o, nil
}

// Hooks lists a project's webhooks, every page.
func (c *Client) Hooks(ctx context.Context, projectID int64) ([]Hook, error) {
	var out []Hook
	opt := &gl.ListProjectHooksOptions{ListOptions: gl.ListOptions{PerPage: perPage}}
	err := pages(func(page int64) (*gl.Response, error) {
		opt.Page = page
		hs, resp, err := c.api.Projects.ListProjectHooks(projectID, opt, budgeted(ctx))
		for _, h := range hs {
			out = append(out, hook(h))
		}
		return resp, err
	})
	if err != nil {
		return nil, wrapPage(fmt.Sprintf("list hooks of project %d", projectID), err)
	}
	return out, nil
}

// AddHook adds a webhook to a project. It is never retried after an
// unclear failure: see Unclear.
func (c *Client) AddHook(ctx context.Context, projectID int64, s HookSettings) (Hook, error) {
	op := fmt.Sprintf("add hook to project %d", projectID)
	opt, err := s.options()
	if err != nil {
		return Hook{}, &Error{Op: op, err: err}
	}
	h, resp, err := c.api.Projects.AddProjectHook(projectID, opt, budgeted(ctx))
	if err != nil {
		return Hook{}, wrap(op, resp, err)
	}
	return hook(h), nil
}

// EditHook sets every field of a project's webhook, its token included:
// GitLab clears the token of a hook edited without one.
func (c *Client) EditHook(ctx context.Context, projectID, hookID int64,
	s HookSettings) (Hook, error) {
	op := fmt.Sprintf("edit hook %d of project %d", hookID, projectID)
	opt, err := s.options()
	if err != nil {
		return Hook{}, &Error{Op: op, err: err}
	}
	edit := (*gl.EditProjectHookOptions)(opt)
	h, resp, err := c.api.Projects.EditProjectHook(projectID, hookID, edit, budgeted(ctx))
	if err != nil {
		return Hook{}, wrap(op, resp, err)
	}
	return hook(h), nil
}

// DeleteHook removes a webhook from a project.
func (c *Client) DeleteHook(ctx context.Context, projectID, hookID int64) error {
	resp, err := c.api.Projects.DeleteProjectHook(projectID, hookID, budgeted(ctx))
	return wrap(fmt.Sprintf("delete hook %d of project %d", hookID, projectID), resp, err)
}
