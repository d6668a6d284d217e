package gitlabsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// AccessLevel is a GitLab role as the API numbers it.
type AccessLevel int

// GitLab's roles. A member's level in a group holds in every subgroup and
// project below it.
const (
	NoAccess   AccessLevel = 0
	Guest      AccessLevel = 10
	Reporter   AccessLevel = 20
	Developer  AccessLevel = 30
	Maintainer AccessLevel = 40
	Owner      AccessLevel = 50
)

var levelNames = map[string]AccessLevel{
	"guest": Guest, "reporter": Reporter, "developer": Developer,
	"maintainer": Maintainer, "owner": Owner,
}

// ParseAccessLevel reads a role name ("maintainer") or its number ("40").
func ParseAccessLevel(s string) (AccessLevel, error) {
	if l, ok := levelNames[strings.ToLower(s)]; ok {
		return l, nil
	}
	for _, l := range levelNames {
		if fmt.Sprint(int(l)) == s {
			return l, nil
		}
	}
	return NoAccess, fmt.Errorf("unknown access level %q", s)
}

// String is the role's name.
func (l AccessLevel) String() string {
	for n, v := range levelNames {
		if v == l {
			return n
		}
	}
	return fmt.Sprint(int(l))
}

// Tiers of a GitLab instance. Group hooks need Premium or better.
const (
	TierCE       = "ce"       // Community Edition: group hooks do not exist
	TierFree     = "free"     // Enterprise Edition without a licence
	TierPremium  = "premium"  // group hooks available
	TierUltimate = "ultimate" // group hooks available
)

// Instance describes the GitLab installation itself.
type Instance struct {
	Version  string // GET /version
	Revision string
	Tier     string // one of the Tier constants
	// AllowLocalHooks lets hooks point at loopback and private addresses, as the
	// admin setting "allow requests to the local network" does.
	AllowLocalHooks bool
}

// User is a GitLab account. Access tokens of projects and groups act through
// bot users.
type User struct {
	ID       int64
	Username string
	Name     string
	Admin    bool
	Bot      bool
	Email    string
}

// Token kinds.
const (
	PersonalToken = "personal"
	ProjectToken  = "project"
	GroupToken    = "group"
)

// Token is a personal, project or group access token.
type Token struct {
	ID        int64
	Name      string
	Kind      string
	Value     string
	Scopes    []string
	ExpiresAt time.Time // zero: never; the token stops working on that day
	Revoked   bool
	User      *User
}

// JobToken is a CI_JOB_TOKEN of a running job in Project, acting as User.
type JobToken struct {
	Value   string
	Project *Project
	User    *User
}

// Group is a group or subgroup.
type Group struct {
	ID          int64
	Name        string
	Path        string
	Description string
	Visibility  string
	Parent      *Group
	CreatedAt   time.Time

	fullPath string
	fullName string
	members  map[int64]AccessLevel
	children []*Group
	projects []*Project
	shared   []*Project // projects shared into this group
	hooks    []*Hook
}

// FullPath is the group's path from the top, "a/b/c".
func (g *Group) FullPath() string { return g.fullPath }

// Share is one project shared into a group with at most the given role.
type Share struct {
	Group  *Group
	Access AccessLevel
}

// Project is a GitLab project in a group.
type Project struct {
	ID            int64
	Name          string
	Path          string
	Description   string
	Visibility    string
	Archived      bool
	DefaultBranch string
	Topics        []string
	Namespace     *Group
	CreatedAt     time.Time
	// SharedRunners and GroupRunners say whether instance and group runners
	// may pick jobs of this project.
	SharedRunners bool
	GroupRunners  bool

	members map[int64]AccessLevel
	shares  []Share
	hooks   []*Hook
	mrs     []*MergeRequest
}

// PathWithNamespace is "group/sub/project".
func (p *Project) PathWithNamespace() string {
	return p.Namespace.fullPath + "/" + p.Path
}

// NameWithNamespace is "Group / Sub / Project".
func (p *Project) NameWithNamespace() string {
	return p.Namespace.fullName + " / " + p.Name
}

// Runner types as the API names them.
const (
	InstanceRunner = "instance_type"
	GroupRunner    = "group_type"
	ProjectRunner  = "project_type"
)

// Runner is a CI runner. A project runner's first project is its owner.
type Runner struct {
	ID              int64
	Type            string
	Description     string
	Paused          bool
	Locked          bool
	RunUntagged     bool
	TagList         []string
	AccessLevel     string // not_protected or ref_protected
	MaximumTimeout  int64  // seconds; 0 means unset
	MaintenanceNote string
	Token           string
	Online          bool
	CreatedAt       time.Time
	Creator         *User
	Group           *Group     // group runners
	Projects        []*Project // project runners, owner first
	// minted is whether the world made Token, rather than a fixture
	minted bool
}

// Hook is a project or group webhook. Its token is write-only in the API.
type Hook struct {
	ID                     int64
	URL                    string
	Name                   string
	Description            string
	Events                 map[string]bool // "push_events": true
	EnableSSLVerification  bool
	PushEventsBranchFilter string
	BranchFilterStrategy   string
	CreatedAt              time.Time
	Project                *Project // one of Project and Group is set
	Group                  *Group

	token string
}

// HasToken reports whether the hook has a secret token set. The API never
// shows the token; tests look here.
func (h *Hook) HasToken() bool { return h.token != "" }

// TokenHash is the hex SHA-256 of the hook's token, or "" when there is none.
func (h *Hook) TokenHash() string {
	if h.token == "" {
		return ""
	}
	return hashHex(h.token)
}

// SetToken sets the hook's secret token directly, as a person in the UI would.
func (h *Hook) SetToken(t string) { h.token = t }

// MergeRequest is the part of a merge request that notes need.
type MergeRequest struct {
	ID      int64
	IID     int64
	Title   string
	Author  *User
	Project *Project
	notes   []*Note
}

// Note is a comment on a merge request.
type Note struct {
	ID        int64
	Body      string
	Author    *User
	System    bool
	Internal  bool
	CreatedAt time.Time
	UpdatedAt time.Time
	MR        *MergeRequest
}

// World is everything the simulator knows. Build it with the Add methods
// before serving it, or change it later inside Server.Update.
type World struct {
	Instance Instance

	users     map[int64]*User
	usernames map[string]*User
	tokens    map[string]*Token
	jobTokens map[string]*JobToken
	groups    map[int64]*Group
	groupPath map[string]*Group
	projects  map[int64]*Project
	projPath  map[string]*Project
	runners   map[int64]*Runner
	hooks     map[int64]*Hook

	// sorted lists, rebuilt lazily after structural changes; readers share
	// the server's read lock, so the cache has a lock of its own
	cacheMu   sync.Mutex
	projOrder []*Project
	subtree   map[int64][]*Project
	dirty     bool
	// runnerOrder is every runner by id; nil after a runner came or went
	runnerOrder []*Runner

	seq    map[string]int64
	clock  time.Time
	seed   uint64
	minted int64
}

// epoch is where a world's logical clock starts, so that dumps and goldens do
// not depend on the wall clock.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// NewWorld returns an empty Premium instance.
func NewWorld() *World {
	return &World{
		Instance:  Instance{Version: "17.11.1-ee", Revision: "7d6a1b3c2e4", Tier: TierPremium},
		users:     map[int64]*User{},
		usernames: map[string]*User{},
		tokens:    map[string]*Token{},
		jobTokens: map[string]*JobToken{},
		groups:    map[int64]*Group{},
		groupPath: map[string]*Group{},
		projects:  map[int64]*Project{},
		projPath:  map[string]*Project{},
		runners:   map[int64]*Runner{},
		hooks:     map[int64]*Hook{},
		subtree:   map[int64][]*Project{},
		seq:       map[string]int64{},
		clock:     epoch,
		seed:      1,
	}
}

// Now is the world's logical time. It starts at 2025-01-01 and moves one
// second each time something is created or changed through the API.
func (w *World) Now() time.Time { return w.clock }

// SetNow moves the logical clock, for tests of token expiry.
func (w *World) SetNow(t time.Time) { w.clock = t.UTC() }

func (w *World) tick() time.Time {
	w.clock = w.clock.Add(time.Second)
	return w.clock
}

// nextID hands out ids per kind; explicit ids from a fixture move it on.
func (w *World) nextID(kind string, want int64) int64 {
	if want > 0 {
		if want > w.seq[kind] {
			w.seq[kind] = want
		}
		return want
	}
	w.seq[kind]++
	return w.seq[kind]
}

// SeedTokens seeds the tokens the world mints with the name of the server
// it simulates, so that two servers built alike never mint the same token:
// a token stored for the wrong server fails. Runner tokens minted before,
// such as a fixture's, are minted again from the new seed.
func (w *World) SeedTokens(server string) {
	h := fnv.New64a()
	h.Write([]byte(server))
	w.seed, w.minted = h.Sum64(), 0
	for _, r := range w.Runners() {
		if r.minted {
			r.Token = w.mint("glrt-")
		}
	}
}

// mint makes a deterministic secret with the given prefix: the same world
// built the same way mints the same tokens.
func (w *World) mint(prefix string) string {
	w.minted++
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d/%d/%s", w.seed, w.minted, prefix)))
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	b.WriteString(prefix)
	for _, c := range sum[:20] {
		b.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return b.String()
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// AddUser adds an account; the name defaults to the username.
func (w *World) AddUser(username string) *User {
	u := &User{ID: w.nextID("user", 0), Username: username, Name: username,
		Email: username + "@example.com"}
	w.putUser(u)
	return u
}

func (w *World) putUser(u *User) {
	w.users[u.ID] = u
	w.usernames[strings.ToLower(u.Username)] = u
}

// User finds an account by username.
func (w *World) User(username string) *User { return w.usernames[strings.ToLower(username)] }

// AddToken gives u a personal access token with the given scopes.
func (w *World) AddToken(u *User, value string, scopes ...string) *Token {
	t := &Token{ID: w.nextID("token", 0), Name: "token", Kind: PersonalToken,
		Value: value, Scopes: scopes, User: u}
	w.tokens[value] = t
	return t
}

// AddProjectToken makes a project access token: a bot user who is a member of
// p with the given role.
func (w *World) AddProjectToken(p *Project, value string, role AccessLevel,
	scopes ...string) *Token {
	name := fmt.Sprintf("project_%d_bot_%d", p.ID, w.seq["user"]+1)
	return w.addBotToken(name, ProjectToken, value, scopes,
		func(bot *User) { p.AddMember(bot, role) })
}

// AddGroupToken makes a group access token: a bot user who is a member of g
// with the given role.
func (w *World) AddGroupToken(g *Group, value string, role AccessLevel,
	scopes ...string) *Token {
	name := fmt.Sprintf("group_%d_bot_%d", g.ID, w.seq["user"]+1)
	return w.addBotToken(name, GroupToken, value, scopes,
		func(bot *User) { g.AddMember(bot, role) })
}

// addBotToken makes a token of the given kind for a new bot user, whom join
// makes a member where the token acts.
func (w *World) addBotToken(name, kind, value string, scopes []string,
	join func(bot *User)) *Token {
	bot := w.AddUser(name)
	bot.Bot = true
	join(bot)
	t := w.AddToken(bot, value, scopes...)
	t.Kind = kind
	return t
}

// AddJobToken registers the CI_JOB_TOKEN of a job in p run by u.
func (w *World) AddJobToken(p *Project, u *User, value string) *JobToken {
	j := &JobToken{Value: value, Project: p, User: u}
	w.jobTokens[value] = j
	return j
}

// AddGroup adds a group under parent, or a top-level group when parent is nil.
func (w *World) AddGroup(parent *Group, path string) *Group {
	return w.putGroup(&Group{ID: w.nextID("group", 0), Path: path}, parent)
}

func (w *World) putGroup(g *Group, parent *Group) *Group {
	if g.Name == "" {
		g.Name = g.Path
	}
	if g.Visibility == "" {
		g.Visibility = "private"
	}
	g.Parent, g.members = parent, map[int64]AccessLevel{}
	g.CreatedAt = w.tick()
	g.fullPath, g.fullName = g.Path, g.Name
	if parent != nil {
		g.fullPath = parent.fullPath + "/" + g.Path
		g.fullName = parent.fullName + " / " + g.Name
		parent.children = append(parent.children, g)
	}
	w.groups[g.ID] = g
	w.groupPath[strings.ToLower(g.fullPath)] = g
	w.dirty = true
	return g
}

// Group finds a group by id.
func (w *World) Group(id int64) *Group { return w.groups[id] }

// GroupByPath finds a group by its full path.
func (w *World) GroupByPath(path string) *Group { return w.groupPath[strings.ToLower(path)] }

// AddMember makes u a member of g with the given role.
func (g *Group) AddMember(u *User, role AccessLevel) { g.members[u.ID] = role }

// AddProject adds a project to group ns.
func (w *World) AddProject(ns *Group, path string) *Project {
	return w.putProject(&Project{ID: w.nextID("project", 0), Path: path}, ns)
}

func (w *World) putProject(p *Project, ns *Group) *Project {
	if p.Name == "" {
		p.Name = p.Path
	}
	if p.Visibility == "" {
		p.Visibility = "private"
	}
	if p.DefaultBranch == "" {
		p.DefaultBranch = "main"
	}
	p.Namespace, p.members = ns, map[int64]AccessLevel{}
	p.SharedRunners, p.GroupRunners = true, true
	p.CreatedAt = w.tick()
	ns.projects = append(ns.projects, p)
	w.projects[p.ID] = p
	w.projPath[strings.ToLower(p.PathWithNamespace())] = p
	w.dirty = true
	return p
}

// Project finds a project by id.
func (w *World) Project(id int64) *Project { return w.projects[id] }

// ProjectByPath finds a project by "group/sub/project".
func (w *World) ProjectByPath(path string) *Project {
	return w.projPath[strings.ToLower(path)]
}

// AddMember makes u a direct member of p with the given role.
func (p *Project) AddMember(u *User, role AccessLevel) { p.members[u.ID] = role }

// ShareWith shares p into group g: g's members get at most role on p.
func (w *World) ShareWith(p *Project, g *Group, role AccessLevel) {
	p.shares = append(p.shares, Share{Group: g, Access: role})
	g.shared = append(g.shared, p)
	w.dirty = true
}

// Shares lists the groups p is shared into.
func (p *Project) Shares() []Share { return append([]Share(nil), p.shares...) }

// AddRunner adds a runner of the given type. A group runner belongs to g, a
// project runner to the projects ps, the first of them its owner.
func (w *World) AddRunner(kind string, g *Group, ps ...*Project) *Runner {
	r := &Runner{ID: w.nextID("runner", 0), Type: kind, RunUntagged: true,
		Group: g, Projects: ps}
	return w.putRunner(r)
}

// putRunner files r, minting its token and defaulting its access level.
func (w *World) putRunner(r *Runner) *Runner {
	if r.Token == "" {
		r.Token, r.minted = w.mint("glrt-"), true
	}
	if r.AccessLevel == "" {
		r.AccessLevel = "not_protected"
	}
	r.CreatedAt = w.tick()
	w.runners[r.ID] = r
	w.runnerOrder = nil
	return r
}

// Runner finds a runner by id.
func (w *World) Runner(id int64) *Runner { return w.runners[id] }

// Runners lists every runner by id. The list is shared: do not change it.
func (w *World) Runners() []*Runner {
	w.cacheMu.Lock()
	defer w.cacheMu.Unlock()
	if w.runnerOrder == nil {
		w.runnerOrder = byID(w.runners)
	}
	return w.runnerOrder
}

// DeleteRunner removes a runner as if someone deleted it by hand.
func (w *World) DeleteRunner(id int64) bool {
	_, ok := w.runners[id]
	delete(w.runners, id)
	w.runnerOrder = nil
	return ok
}

// EnableRunner assigns a project runner to one more project.
func (w *World) EnableRunner(r *Runner, p *Project) { r.Projects = append(r.Projects, p) }

// AddProjectHook adds a webhook to p with push events on, as GitLab does.
func (w *World) AddProjectHook(p *Project, url, token string) *Hook {
	h := w.newHook(url, token)
	h.Project = p
	p.hooks = append(p.hooks, h)
	return h
}

// AddGroupHook adds a webhook to g.
func (w *World) AddGroupHook(g *Group, url, token string) *Hook {
	h := w.newHook(url, token)
	h.Group = g
	g.hooks = append(g.hooks, h)
	return h
}

func (w *World) newHook(url, token string) *Hook {
	h := &Hook{ID: w.nextID("hook", 0), URL: url, token: token,
		Events:                map[string]bool{"push_events": true},
		EnableSSLVerification: true, BranchFilterStrategy: "wildcard",
		CreatedAt: w.tick()}
	w.hooks[h.ID] = h
	return h
}

// Hook finds a project or group hook by id.
func (w *World) Hook(id int64) *Hook { return w.hooks[id] }

// Hooks lists p's webhooks.
func (p *Project) Hooks() []*Hook { return append([]*Hook(nil), p.hooks...) }

// Hooks lists g's webhooks.
func (g *Group) Hooks() []*Hook { return append([]*Hook(nil), g.hooks...) }

// DeleteHook removes a hook as if someone deleted it by hand.
func (w *World) DeleteHook(id int64) bool {
	h := w.hooks[id]
	if h == nil {
		return false
	}
	delete(w.hooks, id)
	if h.Project != nil {
		h.Project.hooks = removeHook(h.Project.hooks, h)
	} else {
		h.Group.hooks = removeHook(h.Group.hooks, h)
	}
	return true
}

func removeHook(hs []*Hook, h *Hook) []*Hook {
	out := hs[:0]
	for _, x := range hs {
		if x != h {
			out = append(out, x)
		}
	}
	return out
}

// AddMergeRequest opens a merge request in p; its iid counts per project.
func (w *World) AddMergeRequest(p *Project, author *User, title string) *MergeRequest {
	mr := &MergeRequest{ID: w.nextID("mr", 0), IID: int64(len(p.mrs) + 1),
		Title: title, Author: author, Project: p}
	if n := len(p.mrs); n > 0 && p.mrs[n-1].IID >= mr.IID {
		mr.IID = p.mrs[n-1].IID + 1
	}
	p.mrs = append(p.mrs, mr)
	return mr
}

// MergeRequest finds a merge request of p by iid.
func (p *Project) MergeRequest(iid int64) *MergeRequest {
	for _, mr := range p.mrs {
		if mr.IID == iid {
			return mr
		}
	}
	return nil
}

// AddNote comments on mr.
func (w *World) AddNote(mr *MergeRequest, author *User, body string) *Note {
	now := w.tick()
	n := &Note{ID: w.nextID("note", 0), Body: body, Author: author,
		CreatedAt: now, UpdatedAt: now, MR: mr}
	mr.notes = append(mr.notes, n)
	return n
}

// Notes lists the comments on mr, oldest first.
func (mr *MergeRequest) Notes() []*Note { return append([]*Note(nil), mr.notes...) }

// sortedProjects is every project by id.
func (w *World) sortedProjects() []*Project {
	w.cacheMu.Lock()
	defer w.cacheMu.Unlock()
	w.refresh()
	return w.projOrder
}

// refresh rebuilds the sorted lists after groups or projects were added.
func (w *World) refresh() {
	if !w.dirty {
		return
	}
	w.projOrder = byID(w.projects)
	w.subtree = map[int64][]*Project{}
	w.dirty = false
}

// subtreeProjects lists the projects of g and all its subgroups by id. The
// list is shared: callers must not change it.
func (w *World) subtreeProjects(g *Group) []*Project {
	w.cacheMu.Lock()
	defer w.cacheMu.Unlock()
	w.refresh()
	if ps, ok := w.subtree[g.ID]; ok {
		return ps
	}
	var ps []*Project
	var walk func(*Group)
	walk = func(x *Group) {
		ps = append(ps, x.projects...)
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(g)
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	w.subtree[g.ID] = ps
	return ps
}

// byID lists the values of a map keyed by id, in id order.
func byID[T any](m map[int64]*T) []*T {
	out := make([]*T, 0, len(m))
	for _, id := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[id])
	}
	return out
}
