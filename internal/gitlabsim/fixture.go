package gitlabsim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Fixture is the JSON form of a world and the knobs of its server; the
// package documentation shows an example. Groups and projects are named by
// full path; a group's parent is the path before its last slash and must
// come earlier in the file.
type Fixture struct {
	Instance *fixtureInstance `json:"instance"`
	Users    []fixtureUser    `json:"users"`
	Groups   []fixtureGroup   `json:"groups"`
	Projects []fixtureProject `json:"projects"`
	Runners  []fixtureRunner  `json:"runners"`
	Generate *Generate        `json:"generate"`
	Knobs    *fixtureKnobs    `json:"knobs"`
}

type fixtureInstance struct {
	Version         string `json:"version"`
	Revision        string `json:"revision"`
	Tier            string `json:"tier"`
	AllowLocalHooks bool   `json:"allow_local_hooks"`
	Now             string `json:"now"`
}

type fixtureToken struct {
	Value     string   `json:"value"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expires_at"`
	Revoked   bool     `json:"revoked"`
	Access    string   `json:"access"` // project and group tokens: the bot's role
}

type fixtureUser struct {
	ID       int64          `json:"id"`
	Username string         `json:"username"`
	Name     string         `json:"name"`
	Admin    bool           `json:"admin"`
	Tokens   []fixtureToken `json:"tokens"`
}

type fixtureHook struct {
	ID                    int64           `json:"id"`
	URL                   string          `json:"url"`
	Token                 string          `json:"token"`
	Name                  string          `json:"name"`
	Description           string          `json:"description"`
	Events                map[string]bool `json:"events"`
	EnableSSLVerification *bool           `json:"enable_ssl_verification"`
}

type fixtureGroup struct {
	ID          int64             `json:"id"`
	Path        string            `json:"path"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Visibility  string            `json:"visibility"`
	Members     map[string]string `json:"members"`
	Tokens      []fixtureToken    `json:"tokens"`
	Hooks       []fixtureHook     `json:"hooks"`
}

type fixtureNote struct {
	Author string `json:"author"`
	Body   string `json:"body"`
}

type fixtureMR struct {
	IID    int64         `json:"iid"`
	Title  string        `json:"title"`
	Author string        `json:"author"`
	Notes  []fixtureNote `json:"notes"`
}

type fixtureJobToken struct {
	Value string `json:"value"`
	User  string `json:"user"`
}

type fixtureProject struct {
	ID            int64             `json:"id"`
	Path          string            `json:"path"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Visibility    string            `json:"visibility"`
	Archived      bool              `json:"archived"`
	Topics        []string          `json:"topics"`
	Members       map[string]string `json:"members"`
	SharedWith    map[string]string `json:"shared_with"`
	Tokens        []fixtureToken    `json:"tokens"`
	JobTokens     []fixtureJobToken `json:"job_tokens"`
	Hooks         []fixtureHook     `json:"hooks"`
	MergeRequests []fixtureMR       `json:"merge_requests"`
}

type fixtureRunner struct {
	ID              int64    `json:"id"`
	Type            string   `json:"runner_type"`
	Group           string   `json:"group"`
	Projects        []string `json:"projects"`
	Description     string   `json:"description"`
	Paused          bool     `json:"paused"`
	Locked          bool     `json:"locked"`
	RunUntagged     *bool    `json:"run_untagged"`
	TagList         []string `json:"tag_list"`
	AccessLevel     string   `json:"access_level"`
	MaximumTimeout  int64    `json:"maximum_timeout"`
	MaintenanceNote string   `json:"maintenance_note"`
	Token           string   `json:"token"`
	Online          bool     `json:"online"`
	Creator         string   `json:"creator"`
}

type fixtureKnobs struct {
	Latency   string `json:"latency"`
	RateLimit *struct {
		Limit  int    `json:"limit"`
		Window string `json:"window"`
	} `json:"rate_limit"`
	Faults []Fault `json:"faults"`
}

// LoadFile reads a fixture file.
func LoadFile(path string) (*World, []Option, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read fixture: %w", err)
	}
	w, opts, err := Load(data)
	if err != nil {
		return nil, nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	return w, opts, nil
}

// Load builds a world and the server options from fixture JSON. Unknown
// fields are errors, so a misspelt fixture fails loudly.
func Load(data []byte) (*World, []Option, error) {
	var f Fixture
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	w, err := f.Build()
	if err != nil {
		return nil, nil, err
	}
	opts, err := f.options()
	if err != nil {
		return nil, nil, err
	}
	return w, opts, nil
}

// Build makes the fixture's world.
func (f *Fixture) Build() (*World, error) {
	b := &builder{w: NewWorld()}
	steps := []func() error{b.instance(f.Instance), func() error { return b.users(f.Users) },
		func() error { return b.groups(f.Groups) }, func() error { return b.projects(f.Projects) },
		func() error { return b.runners(f.Runners) }}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if f.Generate != nil {
		b.w.Generate(*f.Generate)
	}
	return b.w, nil
}

func (f *Fixture) options() ([]Option, error) {
	k := f.Knobs
	if k == nil {
		return nil, nil
	}
	var opts []Option
	if k.Latency != "" {
		d, err := time.ParseDuration(k.Latency)
		if err != nil {
			return nil, fmt.Errorf("knobs latency: %w", err)
		}
		opts = append(opts, WithLatency(d))
	}
	if rl := k.RateLimit; rl != nil {
		window := time.Minute
		if rl.Window != "" {
			d, err := time.ParseDuration(rl.Window)
			if err != nil {
				return nil, fmt.Errorf("knobs rate_limit window: %w", err)
			}
			window = d
		}
		opts = append(opts, WithRateLimit(rl.Limit, window))
	}
	for _, fl := range k.Faults {
		opts = append(opts, WithFault(fl))
	}
	return opts, nil
}

// UnmarshalJSON reads retry_after as a duration string ("2s").
func (f *Fault) UnmarshalJSON(data []byte) error {
	type plain Fault
	var aux struct {
		plain
		RetryAfter string `json:"retry_after"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	*f = Fault(aux.plain)
	if aux.RetryAfter != "" {
		d, err := time.ParseDuration(aux.RetryAfter)
		if err != nil {
			return fmt.Errorf("fault retry_after: %w", err)
		}
		f.RetryAfter = d
	}
	return nil
}

// builder turns fixture parts into world objects.
type builder struct{ w *World }

func (b *builder) instance(in *fixtureInstance) func() error {
	return func() error {
		if in == nil {
			return nil
		}
		i := &b.w.Instance
		i.Version = cmp.Or(in.Version, i.Version)
		i.Revision = cmp.Or(in.Revision, i.Revision)
		i.Tier = cmp.Or(in.Tier, i.Tier)
		i.AllowLocalHooks = in.AllowLocalHooks
		switch i.Tier {
		case TierCE, TierFree, TierPremium, TierUltimate:
		default:
			return fmt.Errorf("instance tier %q: want ce, free, premium or ultimate", i.Tier)
		}
		if in.Now != "" {
			t, err := time.Parse(time.RFC3339, in.Now)
			if err != nil {
				return fmt.Errorf("instance now: %w", err)
			}
			b.w.SetNow(t)
		}
		return nil
	}
}

func (b *builder) users(us []fixtureUser) error {
	for _, fu := range us {
		if fu.Username == "" || b.w.User(fu.Username) != nil {
			return fmt.Errorf("user %q: missing or duplicate username", fu.Username)
		}
		if fu.ID > 0 && b.w.users[fu.ID] != nil {
			return fmt.Errorf("user %q: duplicate id %d", fu.Username, fu.ID)
		}
		u := &User{ID: b.w.nextID("user", fu.ID), Username: fu.Username,
			Name: cmp.Or(fu.Name, fu.Username), Admin: fu.Admin,
			Email: fu.Username + "@example.com"}
		b.w.putUser(u)
		for _, ft := range fu.Tokens {
			t, err := b.token(ft)
			if err != nil {
				return fmt.Errorf("user %q: %w", fu.Username, err)
			}
			t.ID, t.User, t.Kind = b.w.nextID("token", 0), u, PersonalToken
			b.w.tokens[t.Value] = t
		}
	}
	return nil
}

// token reads a fixture token; the caller makes it a user's token or a bot's.
func (b *builder) token(ft fixtureToken) (*Token, error) {
	if ft.Value == "" || b.w.tokens[ft.Value] != nil {
		return nil, fmt.Errorf("token: missing or duplicate value")
	}
	scopes := ft.Scopes
	if len(scopes) == 0 {
		scopes = []string{"api"}
	}
	t := &Token{Name: "token", Value: ft.Value, Scopes: scopes, Revoked: ft.Revoked}
	if ft.ExpiresAt != "" {
		d, err := time.Parse("2006-01-02", ft.ExpiresAt)
		if err != nil {
			return nil, fmt.Errorf("token expires_at: %w", err)
		}
		t.ExpiresAt = d
	}
	return t, nil
}

func (b *builder) members(set func(*User, AccessLevel), m map[string]string) error {
	for name, role := range m {
		u := b.w.User(name)
		if u == nil {
			return fmt.Errorf("member %q: no such user", name)
		}
		l, err := ParseAccessLevel(role)
		if err != nil {
			return fmt.Errorf("member %q: %w", name, err)
		}
		set(u, l)
	}
	return nil
}

func (b *builder) groups(gs []fixtureGroup) error {
	for _, fg := range gs {
		if err := b.group(fg); err != nil {
			return fmt.Errorf("group %q: %w", fg.Path, err)
		}
	}
	return nil
}

func (b *builder) group(fg fixtureGroup) error {
	if fg.Path == "" || b.w.GroupByPath(fg.Path) != nil {
		return fmt.Errorf("missing or duplicate path")
	}
	if fg.ID > 0 && b.w.groups[fg.ID] != nil {
		return fmt.Errorf("duplicate id %d", fg.ID)
	}
	var parent *Group
	path := fg.Path
	if i := strings.LastIndex(fg.Path, "/"); i >= 0 {
		if parent = b.w.GroupByPath(fg.Path[:i]); parent == nil {
			return fmt.Errorf("parent %q must come first", fg.Path[:i])
		}
		path = fg.Path[i+1:]
	}
	g := b.w.putGroup(&Group{ID: b.w.nextID("group", fg.ID), Path: path, Name: fg.Name,
		Description: fg.Description, Visibility: fg.Visibility}, parent)
	if err := b.members(g.AddMember, fg.Members); err != nil {
		return err
	}
	for _, ft := range fg.Tokens {
		if err := b.resourceToken(ft, func(v string, l AccessLevel, s []string) *Token {
			return b.w.AddGroupToken(g, v, l, s...)
		}); err != nil {
			return err
		}
	}
	for _, fh := range fg.Hooks {
		b.hook(b.w.AddGroupHook(g, fh.URL, fh.Token), fh)
	}
	return nil
}

// resourceToken adds a project or group access token through add.
func (b *builder) resourceToken(ft fixtureToken,
	add func(string, AccessLevel, []string) *Token) error {
	proto, err := b.token(ft)
	if err != nil {
		return err
	}
	l, err := ParseAccessLevel(cmp.Or(ft.Access, "maintainer"))
	if err != nil {
		return err
	}
	t := add(proto.Value, l, proto.Scopes)
	t.ExpiresAt, t.Revoked = proto.ExpiresAt, proto.Revoked
	return nil
}

func (b *builder) hook(h *Hook, fh fixtureHook) {
	if fh.ID > 0 && b.w.hooks[fh.ID] == nil {
		delete(b.w.hooks, h.ID)
		h.ID = b.w.nextID("hook", fh.ID)
		b.w.hooks[h.ID] = h
	}
	h.Name, h.Description = fh.Name, fh.Description
	for e, on := range fh.Events {
		h.Events[e] = on
	}
	if fh.EnableSSLVerification != nil {
		h.EnableSSLVerification = *fh.EnableSSLVerification
	}
}

func (b *builder) projects(ps []fixtureProject) error {
	for _, fp := range ps {
		if err := b.project(fp); err != nil {
			return fmt.Errorf("project %q: %w", fp.Path, err)
		}
	}
	return nil
}

func (b *builder) project(fp fixtureProject) error {
	i := strings.LastIndex(fp.Path, "/")
	if i < 0 || b.w.ProjectByPath(fp.Path) != nil {
		return fmt.Errorf("want a unique group/project path")
	}
	if fp.ID > 0 && b.w.projects[fp.ID] != nil {
		return fmt.Errorf("duplicate id %d", fp.ID)
	}
	ns := b.w.GroupByPath(fp.Path[:i])
	if ns == nil {
		return fmt.Errorf("group %q must come first", fp.Path[:i])
	}
	p := b.w.putProject(&Project{ID: b.w.nextID("project", fp.ID), Path: fp.Path[i+1:],
		Name: fp.Name, Description: fp.Description, Visibility: fp.Visibility,
		Archived: fp.Archived, Topics: fp.Topics}, ns)
	if err := b.members(p.AddMember, fp.Members); err != nil {
		return err
	}
	for path, role := range fp.SharedWith {
		g := b.w.GroupByPath(path)
		l, err := ParseAccessLevel(role)
		if g == nil || err != nil {
			return fmt.Errorf("shared_with %q: unknown group or role", path)
		}
		b.w.ShareWith(p, g, l)
	}
	return b.projectParts(p, fp)
}

func (b *builder) projectParts(p *Project, fp fixtureProject) error {
	for _, ft := range fp.Tokens {
		if err := b.resourceToken(ft, func(v string, l AccessLevel, s []string) *Token {
			return b.w.AddProjectToken(p, v, l, s...)
		}); err != nil {
			return err
		}
	}
	for _, fj := range fp.JobTokens {
		u := b.w.User(fj.User)
		if u == nil || fj.Value == "" {
			return fmt.Errorf("job token: want a value and a known user")
		}
		b.w.AddJobToken(p, u, fj.Value)
	}
	for _, fh := range fp.Hooks {
		b.hook(b.w.AddProjectHook(p, fh.URL, fh.Token), fh)
	}
	for _, fm := range fp.MergeRequests {
		author := b.w.User(fm.Author)
		if author == nil {
			return fmt.Errorf("merge request %d: unknown author %q", fm.IID, fm.Author)
		}
		mr := b.w.AddMergeRequest(p, author, fm.Title)
		if fm.IID > 0 {
			mr.IID = fm.IID
		}
		for _, fn := range fm.Notes {
			a := b.w.User(fn.Author)
			if a == nil {
				return fmt.Errorf("note: unknown author %q", fn.Author)
			}
			b.w.AddNote(mr, a, fn.Body)
		}
	}
	return nil
}

func (b *builder) runners(rs []fixtureRunner) error {
	for _, fr := range rs {
		if err := b.runner(fr); err != nil {
			return fmt.Errorf("runner %d %q: %w", fr.ID, fr.Description, err)
		}
	}
	return nil
}

func (b *builder) runner(fr fixtureRunner) error {
	if fr.ID > 0 && b.w.runners[fr.ID] != nil {
		return fmt.Errorf("duplicate id")
	}
	r := &Runner{ID: b.w.nextID("runner", fr.ID), Type: fr.Type,
		Description: fr.Description, Paused: fr.Paused, Locked: fr.Locked, RunUntagged: true,
		TagList: fr.TagList, AccessLevel: fr.AccessLevel, MaximumTimeout: fr.MaximumTimeout,
		MaintenanceNote: fr.MaintenanceNote, Token: fr.Token, Online: fr.Online}
	if fr.RunUntagged != nil {
		r.RunUntagged = *fr.RunUntagged
	}
	if fr.Creator != "" {
		r.Creator = b.w.User(fr.Creator)
	}
	switch fr.Type {
	case GroupRunner:
		if r.Group = b.w.GroupByPath(fr.Group); r.Group == nil {
			return fmt.Errorf("group runner needs a known group, not %q", fr.Group)
		}
	case ProjectRunner:
		for _, path := range fr.Projects {
			p := b.w.ProjectByPath(path)
			if p == nil {
				return fmt.Errorf("unknown project %q", path)
			}
			r.Projects = append(r.Projects, p)
		}
		if len(r.Projects) == 0 {
			return fmt.Errorf("project runner needs a project")
		}
	case InstanceRunner:
	default:
		return fmt.Errorf("runner_type %q", fr.Type)
	}
	b.w.putRunner(r)
	return nil
}
