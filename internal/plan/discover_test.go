package plan

import (
	"fmt"
	"slices"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// TestDiscoverGroup sorts a group's projects into targets and skipped
// projects with their reasons, and yields a project that another egg names
// to that egg.
func TestDiscoverGroup(t *testing.T) {
	ids := map[string]int64{}
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		team := w.AddGroup(nil, "team")
		team.AddMember(bot, gitlabsim.Owner)
		other := w.AddGroup(nil, "other")
		other.AddMember(bot, gitlabsim.Maintainer)
		for _, p := range []*gitlabsim.Project{
			w.AddProject(team, "live"),
			w.AddProject(team, "old"),
			w.AddProject(w.AddGroup(team, "sub"), "deep"),
			w.AddProject(team, "sandbox"),
			w.AddProject(team, "api"),
			w.AddProject(other, "lent"),
		} {
			ids[p.PathWithNamespace()] = p.ID
		}
		w.Project(ids["team/old"]).Archived = true
		w.ShareWith(w.Project(ids["other/lent"]), team, gitlabsim.Developer)
	})
	var teamID int64
	e.sim.View(func(w *gitlabsim.World) { teamID = w.GroupByPath("team").ID })
	e.nest(groupEgg("team", teamID, `  discovery {
    exclude = ["team/sand*"]
  }
`) + projectEgg("api", ids["team/api"], ""))

	p := e.plan()
	u := p.unit(t, "team")
	var targets []string
	for _, tg := range u.Targets {
		targets = append(targets, fmt.Sprintf("%s via %s", tg.Path, tg.Via))
	}
	via := fmt.Sprintf("group %d", teamID)
	want := []string{"team/live via " + via, "team/sub/deep via " + via}
	if !slices.Equal(targets, want) {
		t.Errorf("targets = %q, want %q", targets, want)
	}
	var skipped []string
	for _, s := range u.Skipped {
		skipped = append(skipped, s.Path+": "+s.Reason)
	}
	want = []string{
		"team/old: archived",
		"team/sandbox: excluded by \"team/sand*\"",
		"team/api: covered by egg api",
		"other/lent: shared into the group from elsewhere",
	}
	if !slices.Equal(skipped, want) {
		t.Errorf("skipped =\n%q\nwant\n%q", skipped, want)
	}
	api := p.unit(t, "api")
	if len(api.Targets) != 1 || api.Targets[0].ID != ids["team/api"] {
		t.Errorf("api targets = %+v", api.Targets)
	}
	if u.Owner() != gitlab.GroupOwner(teamID) {
		t.Errorf("team's runner belongs to %s", u.Owner())
	}
}

// TestBucketOwnerAfterDedupe registers a bucket's runner to the lowest
// project that the bucket keeps, not to one that another egg covers.
func TestBucketOwnerAfterDedupe(t *testing.T) {
	var acme, shared, tools *gitlabsim.Group
	var covered, kept *gitlabsim.Project
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		acme = w.AddGroup(nil, "acme")
		acme.AddMember(bot, gitlabsim.Owner)
		shared = w.AddGroup(acme, "shared")
		covered = w.AddProject(shared, "lib")
		tools = w.AddGroup(nil, "tools")
		tools.AddMember(bot, gitlabsim.Owner)
		kept = w.AddProject(tools, "cli")
	})
	e.nest(groupEgg("acme", acme.ID, "") + fmt.Sprintf(`
eggsbucket "builds" {
  repositories {
    repo "shared" {
      gitlab {
        server   = "gitlab.com"
        group_id = %d
      }
    }
    repo "tools" {
      gitlab {
        server   = "gitlab.com"
        group_id = %d
      }
    }
  }
}
`, shared.ID, tools.ID))

	p := e.plan()
	b := p.unit(t, "builds")
	if b.Error != "" {
		t.Fatalf("builds failed: %s", b.Error)
	}
	if len(b.Targets) != 1 || b.Targets[0].ID != kept.ID {
		t.Errorf("builds targets = %+v, want only %s", b.Targets, kept.PathWithNamespace())
	}
	if b.Owner() != gitlab.ProjectOwner(kept.ID) {
		t.Errorf("builds' runner belongs to %s, want project %d (%s covers %d)",
			b.Owner(), kept.ID, "acme", covered.ID)
	}
	if n := count(b.Actions, OpEnable, ObjRunner); n != 0 {
		t.Errorf("%d enables of a runner created in its only target:\n%s", n, plainText(p))
	}
}

// TestBucketEveryProjectCovered fails a bucket that keeps no project after
// other eggs took theirs, and names why.
func TestBucketEveryProjectCovered(t *testing.T) {
	var acme, shared *gitlabsim.Group
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		acme = w.AddGroup(nil, "acme")
		acme.AddMember(bot, gitlabsim.Owner)
		shared = w.AddGroup(acme, "shared")
		w.AddProject(shared, "lib")
	})
	e.nest(groupEgg("acme", acme.ID, "") + fmt.Sprintf(`
eggsbucket "builds" {
  repositories {
    repo "shared" {
      gitlab {
        server   = "gitlab.com"
        group_id = %d
      }
    }
  }
}
`, shared.ID))

	p := e.plan()
	b := p.unit(t, "builds")
	want := "no projects to serve on gitlab.com: every discovered project was skipped"
	if b.Error != want || len(b.Actions) != 0 {
		t.Errorf("builds error %q with %d actions, want %q", b.Error, len(b.Actions), want)
	}
	if p.Errors() != 1 {
		t.Errorf("%d units failed, want 1", p.Errors())
	}
}
