package gitlabsim

// Who may see and do what. GitLab's rules, reduced to what the simulated
// endpoints need:
//   - a member's role in a group holds in every subgroup and project below;
//   - a project shared into a group gives that group's members the lower of
//     their own role and the share's role;
//   - private things are visible only to members (and admins), internal ones
//     to every signed-in user, public ones to everybody.

// groupRole is u's role in g, inherited from g's ancestors.
func (w *World) groupRole(u *User, g *Group) AccessLevel {
	if u == nil {
		return NoAccess
	}
	best := NoAccess
	for x := g; x != nil; x = x.Parent {
		if l := x.members[u.ID]; l > best {
			best = l
		}
	}
	return best
}

// projectRole is u's role in p: direct, inherited from p's groups, or through
// a share.
func (w *World) projectRole(u *User, p *Project) AccessLevel {
	if u == nil {
		return NoAccess
	}
	best := p.members[u.ID]
	if l := w.groupRole(u, p.Namespace); l > best {
		best = l
	}
	for _, s := range p.shares {
		l := min(w.groupRole(u, s.Group), s.Access)
		if l > best {
			best = l
		}
	}
	return best
}

// canReadProject is GitLab's read_project: a project the user cannot read
// answers 404, never 403.
func (w *World) canReadProject(u *User, p *Project) bool {
	switch {
	case p.Visibility == "public":
		return true
	case u == nil:
		return false
	case u.Admin, p.Visibility == "internal" && !u.Bot:
		return true
	}
	return w.projectRole(u, p) >= Guest
}

// canReadGroup is GitLab's read_group: members of the group, of any subgroup
// or of any project below it may see it.
func (w *World) canReadGroup(u *User, g *Group) bool {
	switch {
	case g.Visibility == "public":
		return true
	case u == nil:
		return false
	case u.Admin, g.Visibility == "internal" && !u.Bot:
		return true
	case w.groupRole(u, g) >= Guest:
		return true
	}
	return w.memberBelow(u, g)
}

func (w *World) memberBelow(u *User, g *Group) bool {
	for _, p := range g.projects {
		if p.members[u.ID] > NoAccess {
			return true
		}
	}
	for _, c := range g.children {
		if c.members[u.ID] > NoAccess || w.memberBelow(u, c) {
			return true
		}
	}
	return false
}

// projectAccess is u's effective role in p, admins counting as owners.
func (w *World) projectAccess(u *User, p *Project) AccessLevel {
	if u != nil && u.Admin {
		return Owner
	}
	return w.projectRole(u, p)
}

// groupAccess is u's effective role in g, admins counting as owners.
func (w *World) groupAccess(u *User, g *Group) AccessLevel {
	if u != nil && u.Admin {
		return Owner
	}
	return w.groupRole(u, g)
}

// ownsRunner is GitLab's "ci_owned_runners": project runners of projects
// where u is at least Maintainer, group runners of groups u owns.
func (w *World) ownsRunner(u *User, r *Runner) bool {
	if u == nil {
		return false
	}
	switch r.Type {
	case ProjectRunner:
		for _, p := range r.Projects {
			if w.projectRole(u, p) >= Maintainer {
				return true
			}
		}
	case GroupRunner:
		return w.groupRole(u, r.Group) >= Owner
	}
	return false
}

// canReadRunner: instance runners are visible to everyone signed in; group
// runners to the group's maintainers; others to their owners and admins.
func (w *World) canReadRunner(u *User, r *Runner) bool {
	switch {
	case u == nil:
		return false
	case u.Admin, r.Type == InstanceRunner, w.ownsRunner(u, r):
		return true
	case r.Type == GroupRunner:
		return w.groupRole(u, r.Group) >= Maintainer
	}
	return false
}

// canUpdateRunner covers edit, token reset, delete and assignment.
func (w *World) canUpdateRunner(u *User, r *Runner) bool {
	return u != nil && (u.Admin || w.ownsRunner(u, r))
}
