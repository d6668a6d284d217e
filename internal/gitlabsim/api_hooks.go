package gitlabsim

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Webhooks. What GitLab does and the simulator keeps:
//   - the token is write-only: no answer ever contains it;
//   - push_events is on unless the request turns it off; SSL verification is
//     on by default; name and description are kept;
//   - changing the URL clears the token unless the same request sets one;
//   - an edit that does not send the token clears it. GitLab's current source
//     keeps the token when neither it nor the URL changes, but clients
//     (client-go among them) resend the URL on every edit and a resent URL
//     counts as changed, so the simulator takes the strict reading: whoever
//     edits a hook must send its token again;
//   - URLs must be http(s); loopback, private and link-local addresses are
//     blocked unless the instance allows local requests ("Invalid url given",
//     422). Host names are never resolved.
//   - group hooks exist only on Premium and Ultimate: Community Edition has
//     no such route (404), a Free instance refuses (403).

type hookSpec struct {
	url, name, description, token, branchFilter, strategy *string
	ssl                                                   *bool
	events                                                map[string]bool
}

func readHookSpec(d *decoder, events []string) hookSpec {
	s := hookSpec{events: map[string]bool{}}
	for name, dst := range map[string]**string{"url": &s.url, "name": &s.name,
		"description": &s.description, "token": &s.token,
		"push_events_branch_filter": &s.branchFilter, "branch_filter_strategy": &s.strategy} {
		if v, ok := d.str(name); ok {
			*dst = &v
		}
	}
	if s.strategy != nil {
		d.oneOf("branch_filter_strategy", *s.strategy, "wildcard", "regex", "all_branches")
	}
	if v, ok := d.boolean("enable_ssl_verification"); ok {
		s.ssl = &v
	}
	for _, e := range events {
		if v, ok := d.boolean(e); ok {
			s.events[e] = v
		}
	}
	return s
}

func (s hookSpec) empty() bool {
	return s.url == nil && s.name == nil && s.description == nil && s.token == nil &&
		s.branchFilter == nil && s.strategy == nil && s.ssl == nil && len(s.events) == 0
}

// apply writes the spec over h; see the token rules at the top of the file.
func (s hookSpec) apply(h *Hook) {
	set(&h.URL, s.url)
	set(&h.Name, s.name)
	set(&h.Description, s.description)
	set(&h.PushEventsBranchFilter, s.branchFilter)
	set(&h.BranchFilterStrategy, s.strategy)
	set(&h.EnableSSLVerification, s.ssl)
	for e, v := range s.events {
		h.Events[e] = v
	}
	h.token = ""
	if s.token != nil {
		h.token = *s.token
	}
}

// blockedURL says whether GitLab would refuse raw as a hook URL.
func blockedURL(raw string, allowLocal bool) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return true
	}
	if allowLocal {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsUnspecified() || ip.IsLinkLocalMulticast())
}

func invalidURL() *reply {
	return grapeError(http.StatusUnprocessableEntity, "Invalid url given")
}

// hookHome is a project or a group with its hooks.
type hookHome struct {
	hooks  *[]*Hook
	events []string
	attach func(h *Hook)
}

// projectHookHome finds the project the caller maintains.
func (c *call) projectHookHome() (hookHome, *reply) {
	p, rep := c.maintainedProject()
	if rep != nil {
		return hookHome{}, rep
	}
	return hookHome{hooks: &p.hooks, events: projectHookEvents,
		attach: func(h *Hook) { h.Project = p }}, nil
}

// groupHookHome finds the group and checks the tier and that the caller is
// Owner.
func (c *call) groupHookHome() (hookHome, *reply) {
	if c.w.Instance.Tier == TierCE {
		return hookHome{}, grapeError(http.StatusNotFound, "404 Not Found")
	}
	g, rep := c.findGroup()
	if rep != nil {
		return hookHome{}, rep
	}
	if c.w.Instance.Tier == TierFree || c.w.groupAccess(c.user, g) < Owner {
		return hookHome{}, forbidden("")
	}
	return hookHome{hooks: &g.hooks, events: groupHookEvents,
		attach: func(h *Hook) { h.Group = g }}, nil
}

// findHook finds the hook's home with find, then the :hook_id hook in it.
func (c *call) findHook(find func() (hookHome, *reply)) (hookHome, *Hook, *reply) {
	home, rep := find()
	if rep != nil {
		return home, nil, rep
	}
	id, rep := pathInt(c, "hook_id")
	if rep != nil {
		return home, nil, rep
	}
	for _, h := range *home.hooks {
		if h.ID == id {
			return home, h, nil
		}
	}
	return home, nil, recordNotFound()
}

func listHooks(c *call, find func() (hookHome, *reply)) *reply {
	home, rep := find()
	if rep != nil {
		return rep
	}
	return paginate(c, *home.hooks, func(h *Hook) any { return hookJSON(h) })
}

func getHook(c *call, find func() (hookHome, *reply)) *reply {
	_, h, rep := c.findHook(find)
	if rep != nil {
		return rep
	}
	return jsonReply(http.StatusOK, hookJSON(h))
}

func addHook(c *call, find func() (hookHome, *reply)) *reply {
	home, rep := find()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	d.required("url")
	spec := readHookSpec(d, home.events)
	if bad := d.bad(); bad != nil {
		return bad
	}
	if blockedURL(*spec.url, c.w.Instance.AllowLocalHooks) {
		return invalidURL()
	}
	h := c.w.newHook(*spec.url, "")
	spec.apply(h)
	home.attach(h)
	*home.hooks = append(*home.hooks, h)
	return jsonReply(http.StatusCreated, hookJSON(h))
}

func editHook(c *call, find func() (hookHome, *reply)) *reply {
	home, h, rep := c.findHook(find)
	if rep != nil {
		return rep
	}
	d := c.decoder()
	spec := readHookSpec(d, home.events)
	if bad := d.bad(); bad != nil {
		return bad
	}
	if spec.empty() {
		return grapeError(http.StatusBadRequest, "No parameters provided")
	}
	if spec.url != nil && blockedURL(*spec.url, c.w.Instance.AllowLocalHooks) {
		return invalidURL()
	}
	spec.apply(h)
	c.w.tick()
	return jsonReply(http.StatusOK, hookJSON(h))
}

func deleteHook(c *call, find func() (hookHome, *reply)) *reply {
	_, h, rep := c.findHook(find)
	if rep != nil {
		return rep
	}
	c.w.DeleteHook(h.ID)
	return noContent()
}

func handleListProjectHooks(c *call) *reply  { return listHooks(c, c.projectHookHome) }
func handleGetProjectHook(c *call) *reply    { return getHook(c, c.projectHookHome) }
func handleAddProjectHook(c *call) *reply    { return addHook(c, c.projectHookHome) }
func handleEditProjectHook(c *call) *reply   { return editHook(c, c.projectHookHome) }
func handleDeleteProjectHook(c *call) *reply { return deleteHook(c, c.projectHookHome) }
func handleListGroupHooks(c *call) *reply    { return listHooks(c, c.groupHookHome) }
func handleGetGroupHook(c *call) *reply      { return getHook(c, c.groupHookHome) }
func handleAddGroupHook(c *call) *reply      { return addHook(c, c.groupHookHome) }
func handleEditGroupHook(c *call) *reply     { return editHook(c, c.groupHookHome) }
func handleDeleteGroupHook(c *call) *reply   { return deleteHook(c, c.groupHookHome) }
