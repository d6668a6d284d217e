package gitlabsim

import (
	"net/url"
	"sort"
	"strconv"
	"time"
)

// The JSON shapes GitLab's API entities give, with the field names and types
// client-go decodes. Fields the simulator has no model for carry GitLab's
// defaults.

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type namespaceEntity struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

func (c *call) namespace(g *Group) namespaceEntity {
	return namespaceEntity{ID: g.ID, Name: g.Name, Path: g.Path, Kind: "group",
		FullPath: g.fullPath, ParentID: parentID(g), WebURL: c.groupURL(g)}
}

func (c *call) groupURL(g *Group) string { return c.base + "/groups/" + g.fullPath }

// parentID is the id of g's parent group, nil for a top-level group.
func parentID(g *Group) *int64 {
	if g.Parent == nil {
		return nil
	}
	id := g.Parent.ID
	return &id
}

// basicProjectEntity is Entities::BasicProjectDetails, what simple=true
// lists give. It has no archived and no visibility field.
type basicProjectEntity struct {
	ID                int64           `json:"id"`
	Description       string          `json:"description"`
	Name              string          `json:"name"`
	NameWithNamespace string          `json:"name_with_namespace"`
	Path              string          `json:"path"`
	PathWithNamespace string          `json:"path_with_namespace"`
	CreatedAt         string          `json:"created_at"`
	DefaultBranch     string          `json:"default_branch"`
	TagList           []string        `json:"tag_list"`
	Topics            []string        `json:"topics"`
	SSHURLToRepo      string          `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string          `json:"http_url_to_repo"`
	WebURL            string          `json:"web_url"`
	ReadmeURL         *string         `json:"readme_url"`
	ForksCount        int             `json:"forks_count"`
	AvatarURL         *string         `json:"avatar_url"`
	StarCount         int             `json:"star_count"`
	LastActivityAt    string          `json:"last_activity_at"`
	Namespace         namespaceEntity `json:"namespace"`
}

func (c *call) basicProject(p *Project) basicProjectEntity {
	full := p.PathWithNamespace()
	topics := append([]string{}, p.Topics...)
	sort.Strings(topics)
	host := hostOf(c.base)
	return basicProjectEntity{
		ID: p.ID, Description: p.Description, Name: p.Name,
		NameWithNamespace: p.NameWithNamespace(), Path: p.Path, PathWithNamespace: full,
		CreatedAt: ts(p.CreatedAt), DefaultBranch: p.DefaultBranch,
		TagList: topics, Topics: topics,
		SSHURLToRepo:   "git@" + host + ":" + full + ".git",
		HTTPURLToRepo:  c.base + "/" + full + ".git",
		WebURL:         c.base + "/" + full,
		LastActivityAt: ts(p.CreatedAt), Namespace: c.namespace(p.Namespace),
	}
}

func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Hostname()
}

type sharedWithGroupEntity struct {
	GroupID          int64   `json:"group_id"`
	GroupName        string  `json:"group_name"`
	GroupFullPath    string  `json:"group_full_path"`
	GroupAccessLevel int     `json:"group_access_level"`
	ExpiresAt        *string `json:"expires_at"`
}

type linksEntity struct {
	Self          string `json:"self"`
	Issues        string `json:"issues"`
	MergeRequests string `json:"merge_requests"`
	RepoBranches  string `json:"repo_branches"`
	Labels        string `json:"labels"`
	Events        string `json:"events"`
	Members       string `json:"members"`
	ClusterAgents string `json:"cluster_agents"`
}

type accessEntity struct {
	AccessLevel       int `json:"access_level"`
	NotificationLevel int `json:"notification_level"`
}

type permissionsEntity struct {
	ProjectAccess *accessEntity `json:"project_access"`
	GroupAccess   *accessEntity `json:"group_access"`
}

// projectEntity is Entities::Project (lists) and, with Permissions, what
// GET /projects/:id gives.
type projectEntity struct {
	basicProjectEntity
	Visibility                     string      `json:"visibility"`
	Links                          linksEntity `json:"_links"`
	PackagesEnabled                bool        `json:"packages_enabled"`
	EmptyRepo                      bool        `json:"empty_repo"`
	Archived                       bool        `json:"archived"`
	ResolveOutdatedDiffDiscussions bool        `json:"resolve_outdated_diff_discussions"`
	ContainerRegistryImagePrefix   string      `json:"container_registry_image_prefix"`
	IssuesEnabled                  bool        `json:"issues_enabled"`
	MergeRequestsEnabled           bool        `json:"merge_requests_enabled"`
	WikiEnabled                    bool        `json:"wiki_enabled"`
	JobsEnabled                    bool        `json:"jobs_enabled"`
	SnippetsEnabled                bool        `json:"snippets_enabled"`
	ContainerRegistryEnabled       bool        `json:"container_registry_enabled"`
	ServiceDeskEnabled             bool        `json:"service_desk_enabled"`
	CanCreateMergeRequestIn        bool        `json:"can_create_merge_request_in"`
	IssuesAccessLevel              string      `json:"issues_access_level"`
	RepositoryAccessLevel          string      `json:"repository_access_level"`
	MergeRequestsAccessLevel       string      `json:"merge_requests_access_level"`
	ForkingAccessLevel             string      `json:"forking_access_level"`
	WikiAccessLevel                string      `json:"wiki_access_level"`
	BuildsAccessLevel              string      `json:"builds_access_level"`
	SnippetsAccessLevel            string      `json:"snippets_access_level"`
	PagesAccessLevel               string      `json:"pages_access_level"`
	AnalyticsAccessLevel           string      `json:"analytics_access_level"`
	ContainerRegistryAccessLevel   string      `json:"container_registry_access_level"`
	ReleasesAccessLevel            string      `json:"releases_access_level"`
	EnvironmentsAccessLevel        string      `json:"environments_access_level"`
	EmailsDisabled                 bool        `json:"emails_disabled"`
	EmailsEnabled                  bool        `json:"emails_enabled"`
	SharedRunnersEnabled           bool        `json:"shared_runners_enabled"`
	GroupRunnersEnabled            bool        `json:"group_runners_enabled"`
	LFSEnabled                     bool        `json:"lfs_enabled"`
	CreatorID                      int64       `json:"creator_id"`
	ImportStatus                   string      `json:"import_status"`
	OpenIssuesCount                int         `json:"open_issues_count"`
	UpdatedAt                      string      `json:"updated_at"`
	CIDefaultGitDepth              int         `json:"ci_default_git_depth"`
	CIJobTokenScopeEnabled         bool        `json:"ci_job_token_scope_enabled"`
	PublicJobs                     bool        `json:"public_jobs"`
	BuildTimeout                   int         `json:"build_timeout"`
	AutoCancelPendingPipelines     string      `json:"auto_cancel_pending_pipelines"`

	CIConfigPath     *string                 `json:"ci_config_path"`
	SharedWithGroups []sharedWithGroupEntity `json:"shared_with_groups"`

	OnlyAllowMergeIfPipelineSucceeds bool   `json:"only_allow_merge_if_pipeline_succeeds"`
	RequestAccessEnabled             bool   `json:"request_access_enabled"`
	MergeMethod                      string `json:"merge_method"`
	SquashOption                     string `json:"squash_option"`
	AutoDevopsEnabled                bool   `json:"auto_devops_enabled"`
	KeepLatestArtifact               bool   `json:"keep_latest_artifact"`

	// Permissions comes only with GET /projects/:id.
	Permissions *permissionsEntity `json:"permissions,omitempty"`
}

func (c *call) project(p *Project) projectEntity {
	web := c.base + "/" + p.PathWithNamespace()
	api := c.base + apiPrefix + "/projects/" + itoa(p.ID)
	e := projectEntity{
		basicProjectEntity: c.basicProject(p),
		Visibility:         p.Visibility, Archived: p.Archived,
		Links: linksEntity{Self: api, Issues: api + "/issues",
			MergeRequests: api + "/merge_requests", RepoBranches: api + "/repository/branches",
			Labels: api + "/labels", Events: api + "/events", Members: api + "/members",
			ClusterAgents: api + "/cluster_agents"},
		PackagesEnabled: true, IssuesEnabled: true, MergeRequestsEnabled: true,
		WikiEnabled: true, JobsEnabled: true, SnippetsEnabled: true,
		ContainerRegistryEnabled: true, CanCreateMergeRequestIn: true,
		ContainerRegistryImagePrefix: "registry." + hostOf(c.base) + "/" + p.PathWithNamespace(),
		EmailsEnabled:                true, SharedRunnersEnabled: p.SharedRunners,
		GroupRunnersEnabled: p.GroupRunners, LFSEnabled: true, ImportStatus: "none",
		UpdatedAt: ts(p.CreatedAt), CIDefaultGitDepth: 20, BuildTimeout: 3600,
		AutoCancelPendingPipelines: "enabled", SharedWithGroups: []sharedWithGroupEntity{},
		RequestAccessEnabled: true, MergeMethod: "merge", SquashOption: "default_off",
		CIJobTokenScopeEnabled: true,
	}
	for _, f := range []*string{&e.IssuesAccessLevel, &e.RepositoryAccessLevel,
		&e.MergeRequestsAccessLevel, &e.ForkingAccessLevel, &e.WikiAccessLevel,
		&e.BuildsAccessLevel, &e.SnippetsAccessLevel, &e.AnalyticsAccessLevel,
		&e.ContainerRegistryAccessLevel, &e.ReleasesAccessLevel, &e.EnvironmentsAccessLevel} {
		*f = "enabled"
	}
	e.PagesAccessLevel = "private"
	readme := web + "/-/blob/" + p.DefaultBranch + "/README.md"
	e.ReadmeURL = &readme
	for _, s := range p.shares {
		e.SharedWithGroups = append(e.SharedWithGroups, sharedWithGroupEntity{
			GroupID: s.Group.ID, GroupName: s.Group.Name, GroupFullPath: s.Group.fullPath,
			GroupAccessLevel: int(s.Access)})
	}
	return e
}

// projectWithAccess adds the caller's permissions, as GET /projects/:id does.
func (c *call) projectWithAccess(p *Project) projectEntity {
	e := c.project(p)
	perms := &permissionsEntity{}
	if l := p.members[userID(c.user)]; l > NoAccess {
		perms.ProjectAccess = &accessEntity{AccessLevel: int(l), NotificationLevel: 3}
	}
	if l := c.w.groupRole(c.user, p.Namespace); l > NoAccess {
		perms.GroupAccess = &accessEntity{AccessLevel: int(l), NotificationLevel: 3}
	}
	e.Permissions = perms
	return e
}

func userID(u *User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// groupEntity is Entities::Group; GET /groups/:id adds projects.
type groupEntity struct {
	ID                             int64   `json:"id"`
	WebURL                         string  `json:"web_url"`
	Name                           string  `json:"name"`
	Path                           string  `json:"path"`
	Description                    string  `json:"description"`
	Visibility                     string  `json:"visibility"`
	ShareWithGroupLock             bool    `json:"share_with_group_lock"`
	RequireTwoFactorAuthentication bool    `json:"require_two_factor_authentication"`
	TwoFactorGracePeriod           int     `json:"two_factor_grace_period"`
	ProjectCreationLevel           string  `json:"project_creation_level"`
	AutoDevopsEnabled              *bool   `json:"auto_devops_enabled"`
	SubgroupCreationLevel          string  `json:"subgroup_creation_level"`
	EmailsDisabled                 bool    `json:"emails_disabled"`
	EmailsEnabled                  bool    `json:"emails_enabled"`
	MentionsDisabled               *bool   `json:"mentions_disabled"`
	LFSEnabled                     bool    `json:"lfs_enabled"`
	DefaultBranch                  *string `json:"default_branch"`
	DefaultBranchProtection        int     `json:"default_branch_protection"`
	AvatarURL                      *string `json:"avatar_url"`
	RequestAccessEnabled           bool    `json:"request_access_enabled"`
	FullName                       string  `json:"full_name"`
	FullPath                       string  `json:"full_path"`
	CreatedAt                      string  `json:"created_at"`
	ParentID                       *int64  `json:"parent_id"`
	OrganizationID                 int64   `json:"organization_id"`
	SharedRunnersSetting           string  `json:"shared_runners_setting"`
	WikiAccessLevel                string  `json:"wiki_access_level"`
	Archived                       bool    `json:"archived"`
	MarkedForDeletionOn            *string `json:"marked_for_deletion_on"`

	Projects       *[]projectEntity `json:"projects,omitempty"`
	SharedProjects *[]projectEntity `json:"shared_projects,omitempty"`
}

func (c *call) group(g *Group) groupEntity {
	return groupEntity{ID: g.ID, WebURL: c.groupURL(g), Name: g.Name,
		Path: g.Path, Description: g.Description, Visibility: g.Visibility,
		ProjectCreationLevel: "developer", SubgroupCreationLevel: "maintainer",
		EmailsEnabled: true, LFSEnabled: true, DefaultBranchProtection: 2,
		RequestAccessEnabled: true, FullName: g.fullName, FullPath: g.fullPath,
		CreatedAt: ts(g.CreatedAt), OrganizationID: 1, SharedRunnersSetting: "enabled",
		WikiAccessLevel: "enabled", ParentID: parentID(g)}
}

// runnerEntity is Entities::Ci::Runner.
type runnerEntity struct {
	ID          int64   `json:"id"`
	Description string  `json:"description"`
	IPAddress   *string `json:"ip_address"`
	Active      bool    `json:"active"`
	Paused      bool    `json:"paused"`
	IsShared    bool    `json:"is_shared"`
	RunnerType  string  `json:"runner_type"`
	Name        *string `json:"name"`
	Online      bool    `json:"online"`
	Status      string  `json:"status"`
	CreatedAt   string  `json:"created_at"`
}

func runnerStatus(r *Runner) string {
	if r.Online {
		return "online"
	}
	return "never_contacted"
}

func runnerJSON(r *Runner) runnerEntity {
	return runnerEntity{ID: r.ID, Description: r.Description, Active: !r.Paused,
		Paused: r.Paused, IsShared: r.Type == InstanceRunner, RunnerType: r.Type,
		Online: r.Online, Status: runnerStatus(r), CreatedAt: ts(r.CreatedAt)}
}

type runnerGroupEntity struct {
	ID     int64  `json:"id"`
	WebURL string `json:"web_url"`
	Name   string `json:"name"`
}

// runnerDetailsEntity is Entities::Ci::RunnerDetails.
type runnerDetailsEntity struct {
	runnerEntity
	TagList         []string             `json:"tag_list"`
	RunUntagged     bool                 `json:"run_untagged"`
	Locked          bool                 `json:"locked"`
	MaximumTimeout  *int64               `json:"maximum_timeout"`
	AccessLevel     string               `json:"access_level"`
	Version         *string              `json:"version"`
	Revision        *string              `json:"revision"`
	Platform        *string              `json:"platform"`
	Architecture    *string              `json:"architecture"`
	ContactedAt     *string              `json:"contacted_at"`
	MaintenanceNote *string              `json:"maintenance_note"`
	Projects        []basicProjectEntity `json:"projects"`
	Groups          []runnerGroupEntity  `json:"groups"`
}

// runnerDetails shows only the projects and groups the caller is a member
// of (all of them to admins), as GitLab does.
func (c *call) runnerDetails(r *Runner) runnerDetailsEntity {
	e := runnerDetailsEntity{runnerEntity: runnerJSON(r),
		TagList: append([]string{}, r.TagList...), RunUntagged: r.RunUntagged,
		Locked: r.Locked, AccessLevel: r.AccessLevel,
		Projects: []basicProjectEntity{}, Groups: []runnerGroupEntity{}}
	if r.MaximumTimeout > 0 {
		t := r.MaximumTimeout
		e.MaximumTimeout = &t
	}
	if r.MaintenanceNote != "" {
		n := r.MaintenanceNote
		e.MaintenanceNote = &n
	}
	admin := c.user != nil && c.user.Admin
	for _, p := range r.Projects {
		if admin || c.w.projectRole(c.user, p) > NoAccess {
			e.Projects = append(e.Projects, c.basicProject(p))
		}
	}
	if g := r.Group; g != nil && (admin || c.w.groupRole(c.user, g) > NoAccess) {
		e.Groups = append(e.Groups, runnerGroupEntity{ID: g.ID,
			WebURL: c.groupURL(g), Name: g.Name})
	}
	return e
}

// Event fields of project hooks and of group hooks, as the API names them.
var (
	projectHookEvents = []string{"push_events", "tag_push_events", "merge_requests_events",
		"issues_events", "confidential_issues_events", "note_events",
		"confidential_note_events", "pipeline_events", "wiki_page_events",
		"deployment_events", "feature_flag_events", "job_events", "releases_events",
		"milestone_events", "emoji_events", "resource_access_token_events",
		"resource_deploy_token_events", "vulnerability_events"}
	groupHookEvents = []string{"push_events", "tag_push_events", "merge_requests_events",
		"issues_events", "confidential_issues_events", "note_events",
		"confidential_note_events", "pipeline_events", "wiki_page_events",
		"deployment_events", "feature_flag_events", "job_events", "releases_events",
		"milestone_events", "emoji_events", "resource_access_token_events",
		"subgroup_events", "member_events", "vulnerability_events", "project_events"}
)

// eventNames are the event fields of h's kind of hook.
func (h *Hook) eventNames() []string {
	if h.Group != nil {
		return groupHookEvents
	}
	return projectHookEvents
}

// hookJSON is Entities::ProjectHook or GroupHook. The token never appears.
func hookJSON(h *Hook) map[string]any {
	m := map[string]any{
		"id": h.ID, "url": h.URL, "name": h.Name, "description": h.Description,
		"created_at": ts(h.CreatedAt), "repository_update_events": false,
		"enable_ssl_verification": h.EnableSSLVerification,
		"alert_status":            "executable", "disabled_until": nil,
		"url_variables": []any{}, "custom_headers": []any{},
		"push_events_branch_filter": h.PushEventsBranchFilter,
		"branch_filter_strategy":    h.BranchFilterStrategy,
		"custom_webhook_template":   "",
	}
	if h.Project != nil {
		m["project_id"] = h.Project.ID
	} else {
		m["group_id"] = h.Group.ID
	}
	for _, e := range h.eventNames() {
		m[e] = h.Events[e]
	}
	return m
}

type noteAuthorEntity struct {
	ID        int64   `json:"id"`
	Username  string  `json:"username"`
	Name      string  `json:"name"`
	State     string  `json:"state"`
	Locked    bool    `json:"locked"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

// noteEntity is Entities::Note for a merge request comment.
type noteEntity struct {
	ID             int64            `json:"id"`
	Type           *string          `json:"type"`
	Body           string           `json:"body"`
	Attachment     *string          `json:"attachment"`
	Author         noteAuthorEntity `json:"author"`
	CreatedAt      string           `json:"created_at"`
	UpdatedAt      string           `json:"updated_at"`
	System         bool             `json:"system"`
	NoteableID     int64            `json:"noteable_id"`
	NoteableType   string           `json:"noteable_type"`
	ProjectID      int64            `json:"project_id"`
	Resolvable     bool             `json:"resolvable"`
	Confidential   bool             `json:"confidential"`
	Internal       bool             `json:"internal"`
	Imported       bool             `json:"imported"`
	ImportedFrom   string           `json:"imported_from"`
	NoteableIID    int64            `json:"noteable_iid"`
	CommandsChange map[string]any   `json:"commands_changes"`
}

func (c *call) author(u *User) noteAuthorEntity {
	return noteAuthorEntity{ID: u.ID, Username: u.Username, Name: u.Name, State: "active",
		WebURL: c.base + "/" + u.Username}
}

func (c *call) note(n *Note) noteEntity {
	return noteEntity{ID: n.ID, Body: n.Body, Author: c.author(n.Author),
		CreatedAt: ts(n.CreatedAt), UpdatedAt: ts(n.UpdatedAt), System: n.System,
		NoteableID: n.MR.ID, NoteableType: "MergeRequest", ProjectID: n.MR.Project.ID,
		Confidential: n.Internal, Internal: n.Internal, ImportedFrom: "none",
		NoteableIID: n.MR.IID, CommandsChange: map[string]any{}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
