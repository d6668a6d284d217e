package gitlabsim

import (
	"net/http"
	"slices"
	"strings"
)

// runnerSpec is the editable part of a runner as a request gives it.
type runnerSpec struct {
	description, note, accessLevel *string
	paused, locked, runUntagged    *bool
	tags                           *[]string
	timeout                        *int64
}

func (s runnerSpec) empty() bool {
	return s.description == nil && s.note == nil && s.accessLevel == nil &&
		s.paused == nil && s.locked == nil && s.runUntagged == nil &&
		s.tags == nil && s.timeout == nil
}

func readRunnerSpec(d *decoder) runnerSpec {
	var s runnerSpec
	if v, ok := d.str("description"); ok {
		s.description = &v
	}
	if v, ok := d.str("maintenance_note"); ok {
		s.note = &v
	}
	if v, ok := d.str("access_level"); ok {
		d.oneOf("access_level", v, "not_protected", "ref_protected")
		s.accessLevel = &v
	}
	if v, ok := d.boolean("paused"); ok {
		s.paused = &v
	}
	if v, ok := d.boolean("locked"); ok {
		s.locked = &v
	}
	if v, ok := d.boolean("run_untagged"); ok {
		s.runUntagged = &v
	}
	if v, ok := d.list("tag_list"); ok {
		s.tags = &v
	}
	if v, ok := d.integer("maximum_timeout"); ok {
		s.timeout = &v
	}
	return s
}

// apply writes the spec over r; tag_list replaces the tags.
func (s runnerSpec) apply(r *Runner) {
	set(&r.Description, s.description)
	set(&r.MaintenanceNote, s.note)
	set(&r.AccessLevel, s.accessLevel)
	set(&r.Paused, s.paused)
	set(&r.Locked, s.locked)
	set(&r.RunUntagged, s.runUntagged)
	set(&r.MaximumTimeout, s.timeout)
	if s.tags != nil {
		r.TagList = append([]string{}, (*s.tags)...)
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// runnerErrors are the runner model's validations, by attribute.
func runnerErrors(r *Runner, timeoutSet bool) map[string][]string {
	errs := map[string][]string{}
	if timeoutSet && r.MaximumTimeout < 600 {
		errs["maximum_timeout"] = []string{"needs to be at least 10 minutes"}
	}
	if !r.RunUntagged && len(r.TagList) == 0 {
		errs["tags_list"] = []string{
			"can not be empty when runner is not allowed to pick untagged jobs"}
	}
	if len(r.MaintenanceNote) > 1024 {
		errs["maintenance_note"] = []string{"is too long (maximum is 1024 characters)"}
	}
	return errs
}

// fullMessages turns field errors into Rails' sentences, in a fixed order.
func fullMessages(errs map[string][]string) string {
	var parts []string
	for _, k := range []string{"maximum_timeout", "tags_list", "maintenance_note"} {
		for _, m := range errs[k] {
			name := strings.ReplaceAll(k, "_", " ")
			parts = append(parts, strings.ToUpper(name[:1])+name[1:]+" "+m)
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + ", and " + parts[len(parts)-1]
}

// handleCreateRunner is POST /user/runners: a project runner needs
// Maintainer on the project, a group runner Owner on the group, an instance
// runner an admin. The token is in this answer and nowhere else.
func handleCreateRunner(c *call) *reply {
	d := c.decoder()
	kind := d.required("runner_type")
	if kind != "" {
		d.oneOf("runner_type", kind, InstanceRunner, GroupRunner, ProjectRunner)
	}
	var gid, pid int64
	switch kind {
	case GroupRunner:
		gid = d.requiredInt("group_id")
	case ProjectRunner:
		pid = d.requiredInt("project_id")
	}
	spec := readRunnerSpec(d)
	if bad := d.bad(); bad != nil {
		return bad
	}
	r := &Runner{Type: kind, RunUntagged: true, Creator: c.user}
	if rep := c.runnerScope(r, gid, pid); rep != nil {
		return rep
	}
	spec.apply(r)
	if errs := runnerErrors(r, spec.timeout != nil); len(errs) > 0 {
		return badRequest(fullMessages(errs))
	}
	r.ID = c.w.nextID("runner", 0)
	c.w.putRunner(r)
	return jsonReply(http.StatusCreated, map[string]any{
		"id": r.ID, "token": r.Token, "token_expires_at": nil})
}

// runnerScope attaches the new runner to its group or project and checks
// the caller may create it there.
func (c *call) runnerScope(r *Runner, gid, pid int64) *reply {
	allowed := c.user.Admin
	switch r.Type {
	case GroupRunner:
		g := c.w.groups[gid]
		if g == nil {
			return badRequest("Missing/invalid group")
		}
		r.Group = g
		allowed = c.w.groupAccess(c.user, g) >= Owner
	case ProjectRunner:
		p := c.w.projects[pid]
		if p == nil {
			return badRequest("Missing/invalid project")
		}
		r.Projects = []*Project{p}
		allowed = c.w.projectAccess(c.user, p) >= Maintainer
	}
	if !allowed {
		return forbidden("Insufficient permissions")
	}
	return nil
}

// runnerFilter holds the list filters of the runner endpoints.
type runnerFilter struct {
	kind, status string
	paused       *bool
	tags         []string
}

// runnerStatuses are the values of the status filter and of the older scope.
var runnerStatuses = []string{"active", "paused", "online", "offline", "stale",
	"never_contacted"}

func readRunnerFilter(d *decoder) runnerFilter {
	var f runnerFilter
	if v, ok := d.str("type"); ok {
		d.oneOf("type", v, InstanceRunner, GroupRunner, ProjectRunner)
		f.kind = v
	}
	if v, ok := d.str("status"); ok {
		d.oneOf("status", v, runnerStatuses...)
		f.status = v
	}
	if v, ok := d.str("scope"); ok && f.status == "" {
		d.oneOf("scope", v, runnerStatuses...)
		f.status = v
	}
	if v, ok := d.boolean("paused"); ok {
		f.paused = &v
	}
	f.tags, _ = d.list("tag_list")
	return f
}

func (f runnerFilter) keep(r *Runner) bool {
	switch {
	case f.kind != "" && r.Type != f.kind:
		return false
	case f.paused != nil && r.Paused != *f.paused:
		return false
	case f.status == "active" && r.Paused, f.status == "paused" && !r.Paused:
		return false
	case f.status == "online" || f.status == "offline" || f.status == "stale" ||
		f.status == "never_contacted":
		if runnerStatus(r) != f.status {
			return false
		}
	}
	for _, t := range f.tags {
		if !slices.Contains(r.TagList, t) {
			return false
		}
	}
	return true
}

// listRunners answers a filtered, paginated list of the runners that pick.
func (c *call) listRunners(pick func(*Runner) bool) *reply {
	d := c.decoder()
	f := readRunnerFilter(d)
	if bad := d.bad(); bad != nil {
		return bad
	}
	var out []*Runner
	for _, r := range c.w.Runners() {
		if pick(r) && f.keep(r) {
			out = append(out, r)
		}
	}
	return paginate(c, out, func(r *Runner) any { return runnerJSON(r) })
}

// handleOwnedRunners is GET /runners: the caller's own runners only.
func handleOwnedRunners(c *call) *reply {
	return c.listRunners(func(r *Runner) bool { return c.w.ownsRunner(c.user, r) })
}

func handleAllRunners(c *call) *reply {
	if !c.user.Admin {
		return forbidden("")
	}
	return c.listRunners(func(*Runner) bool { return true })
}

// findRunner reads :id (or another path parameter) as a runner id.
func (c *call) findRunner(param string) (*Runner, *reply) {
	id, rep := pathInt(c, param)
	if rep != nil {
		return nil, rep
	}
	r := c.w.runners[id]
	if r == nil {
		return nil, notFound("Runner")
	}
	return r, nil
}

// handleGetRunner: a runner the caller may not see is 403, not 404.
func handleGetRunner(c *call) *reply {
	r, rep := c.findRunner("id")
	if rep != nil {
		return rep
	}
	if !c.w.canReadRunner(c.user, r) {
		return forbidden("No access granted")
	}
	return jsonReply(http.StatusOK, c.runnerDetails(r))
}

const runnerUpdateFields = "description, active, paused, tag_list, run_untagged, " +
	"locked, access_level, maximum_timeout, maintenance_note"

// handleUpdateRunner is PUT /runners/:id. Validation failures leave the
// runner as it was and answer 400 with the field errors.
func handleUpdateRunner(c *call) *reply {
	d := c.decoder()
	spec := readRunnerSpec(d)
	active, hasActive := d.boolean("active")
	if bad := d.bad(); bad != nil {
		return bad
	}
	switch {
	case hasActive && spec.paused != nil:
		return grapeError(http.StatusBadRequest, "active, paused are mutually exclusive")
	case hasActive:
		paused := !active
		spec.paused = &paused
	case spec.empty():
		return grapeError(http.StatusBadRequest, runnerUpdateFields+
			" are missing, at least one parameter must be provided")
	}
	r, rep := c.findRunner("id")
	if rep != nil {
		return rep
	}
	if !c.w.canUpdateRunner(c.user, r) {
		return forbidden("No access granted")
	}
	next := *r
	spec.apply(&next)
	if errs := runnerErrors(&next, spec.timeout != nil); len(errs) > 0 {
		return validationError(http.StatusBadRequest, errs)
	}
	*r = next
	c.w.tick()
	return jsonReply(http.StatusOK, c.runnerDetails(r))
}

// handleDeleteRunner: a non-admin cannot delete a runner that is enabled in
// more than one project.
func handleDeleteRunner(c *call) *reply {
	r, rep := c.findRunner("id")
	if rep != nil {
		return rep
	}
	if !c.user.Admin && len(r.Projects) > 1 {
		return forbidden("Runner associated with more than one project")
	}
	if !c.w.canUpdateRunner(c.user, r) {
		return forbidden("No access granted")
	}
	c.w.DeleteRunner(r.ID)
	return noContent()
}

func handleResetRunnerToken(c *call) *reply {
	r, rep := c.findRunner("id")
	if rep != nil {
		return rep
	}
	if !c.w.canUpdateRunner(c.user, r) {
		return forbidden("No access granted")
	}
	r.Token, r.minted = c.w.mint("glrt-"), true
	return jsonReply(http.StatusCreated, map[string]any{
		"token": r.Token, "token_expires_at": nil})
}

// handleVerifyRunner is the runner API: it authenticates by the runner's
// own token, and an unknown token is 403.
func handleVerifyRunner(c *call) *reply {
	d := c.decoder()
	token := d.required("token")
	if bad := d.bad(); bad != nil {
		return bad
	}
	for _, r := range c.w.Runners() {
		if r.Token == token {
			return jsonReply(http.StatusOK, map[string]any{
				"id": r.ID, "token": r.Token, "token_expires_at": nil})
		}
	}
	return forbidden("")
}

// servesProject says whether r may pick jobs of p: its own project runners,
// group runners of p's groups, instance runners.
func servesProject(r *Runner, p *Project) bool {
	switch r.Type {
	case ProjectRunner:
		return slices.Contains(r.Projects, p)
	case GroupRunner:
		return p.GroupRunners && isAncestor(r.Group, p.Namespace)
	}
	return p.SharedRunners
}

func isAncestor(a, g *Group) bool {
	for x := g; x != nil; x = x.Parent {
		if x == a {
			return true
		}
	}
	return false
}

// handleProjectRunners needs Maintainer on the project.
func handleProjectRunners(c *call) *reply {
	p, rep := c.maintainedProject()
	if rep != nil {
		return rep
	}
	return c.listRunners(func(r *Runner) bool { return servesProject(r, p) })
}

// handleEnableRunner is POST /projects/:id/runners. Group runners cannot be
// enabled in a project; locked runners only by an admin.
func handleEnableRunner(c *call) *reply {
	p, rep := c.maintainedProject()
	if rep != nil {
		return rep
	}
	d := c.decoder()
	rid := d.requiredInt("runner_id")
	if bad := d.bad(); bad != nil {
		return bad
	}
	r := c.w.runners[rid]
	switch {
	case r == nil:
		return notFound("Runner")
	case r.Type == GroupRunner:
		return forbidden("Runner is a group runner")
	case !c.user.Admin && r.Locked:
		return forbidden("Runner is locked")
	case !c.w.canUpdateRunner(c.user, r):
		return forbidden("No access granted")
	case r.Type == InstanceRunner:
		return apiError(http.StatusInternalServerError, "500 Internal Server Error")
	case slices.Contains(r.Projects, p):
		return apiError(http.StatusBadRequest,
			"Assign to Validation failed: Runner has already been taken - runner_error")
	}
	r.Projects = append(r.Projects, p)
	c.w.tick()
	return jsonReply(http.StatusCreated, runnerJSON(r))
}

// handleDisableRunner is DELETE /projects/:id/runners/:runner_id; the owner
// project (the first one) cannot let go of its runner.
func handleDisableRunner(c *call) *reply {
	p, rep := c.maintainedProject()
	if rep != nil {
		return rep
	}
	r, rep := c.findRunner("runner_id")
	if rep != nil {
		return rep
	}
	i := slices.Index(r.Projects, p)
	switch {
	case i < 0:
		return notFound("Runner")
	case !c.w.canUpdateRunner(c.user, r):
		return forbidden("User not allowed to assign runner")
	case i == 0:
		return forbidden("You cannot unassign a runner from the owner project. " +
			"Delete the runner instead")
	}
	r.Projects = slices.Delete(slices.Clone(r.Projects), i, i+1)
	return noContent()
}

// handleGroupRunners lists the group's and its ancestors' runners and the
// instance runners; it needs Maintainer on the group.
func handleGroupRunners(c *call) *reply {
	g, rep := c.findGroup()
	if rep != nil {
		return rep
	}
	if c.w.groupAccess(c.user, g) < Maintainer {
		return forbidden("")
	}
	return c.listRunners(func(r *Runner) bool {
		return r.Type == InstanceRunner || r.Type == GroupRunner && isAncestor(r.Group, g)
	})
}
