package apply_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// runners returns the simulator's runners whose description names egg.
func runners(s *gitlabsim.Server, egg string) []*gitlabsim.Runner {
	var out []*gitlabsim.Runner
	s.View(func(w *gitlabsim.World) {
		for _, r := range w.Runners() {
			if strings.Contains(r.Description, "hatchery:"+egg+"]") {
				out = append(out, r)
			}
		}
	})
	return out
}

func hooks(s *gitlabsim.Server, projectID int64) []*gitlabsim.Hook {
	var out []*gitlabsim.Hook
	s.View(func(w *gitlabsim.World) { out = w.Project(projectID).Hooks() })
	return out
}

func projectIDs(ps []*gitlabsim.Project) []int64 {
	var ids []int64
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestProjectEgg(t *testing.T) {
	e := newEnv(t)
	var app *gitlabsim.Project
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		g := w.AddGroup(nil, "acme")
		g.AddMember(u, gitlabsim.Maintainer)
		app = w.AddProject(g, "app")
	})
	e.nest(projectEgg("my-app", "gitlab.com", app.ID,
		`  runner { tags = ["docker", "linux"] }`+hookBlock))

	p := e.plan()
	if got := p.Summary(); got != "Plan: 3 to create, 0 to update, 0 to delete." {
		t.Fatalf("summary = %q\n%s", got, text(p))
	}
	for _, r := range sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("plan sent %s", r)
		}
	}

	e.converge()
	rs := runners(sim, "my-app")
	if len(rs) != 1 {
		t.Fatalf("%d runners, want 1", len(rs))
	}
	r := rs[0]
	if r.Type != "project_type" || !r.Locked || r.RunUntagged ||
		!slices.Equal(r.TagList, []string{"docker", "linux"}) {
		t.Errorf("runner = %+v", r)
	}
	if ids := projectIDs(r.Projects); !slices.Equal(ids, []int64{app.ID}) {
		t.Errorf("runner projects = %v", ids)
	}
	rec := e.record("gitlab.com", "my-app")
	if rec.RunnerID != r.ID || rec.Values[secrets.RunnerToken] != r.Token {
		t.Errorf("record runner %d, want %d with the runner's token", rec.RunnerID, r.ID)
	}
	hs := hooks(sim, app.ID)
	if len(hs) != 1 || hs[0].Events["push_events"] || !hs[0].Events["job_events"] {
		t.Fatalf("hooks = %+v", hs)
	}
	if hs[0].TokenHash() != sha(rec.Values[secrets.WebhookSecret]) {
		t.Error("the hook's token is not the webhook secret in the store")
	}
}

func TestGroupEggDiscovery(t *testing.T) {
	e := newEnv(t)
	var team *gitlabsim.Group
	var live, archived, sub, shared *gitlabsim.Project
	sim := e.server("gitlab.company.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		team = w.AddGroup(nil, "team")
		team.AddMember(u, gitlabsim.Owner)
		live = w.AddProject(team, "live")
		archived = w.AddProject(team, "old")
		archived.Archived = true
		sub = w.AddProject(w.AddGroup(team, "sub"), "deep")
		other := w.AddGroup(nil, "other")
		other.AddMember(u, gitlabsim.Maintainer)
		shared = w.AddProject(other, "lent")
		w.ShareWith(shared, team, gitlabsim.Developer)
	})
	e.nest(groupEgg("team", "gitlab.company.com", team.ID, hookBlock))

	p := e.plan()
	u := p.Units[0]
	var targets []int64
	for _, tg := range u.Targets {
		targets = append(targets, tg.ID)
	}
	if !slices.Equal(targets, []int64{live.ID, sub.ID}) {
		t.Errorf("targets = %v, want %v", targets, []int64{live.ID, sub.ID})
	}
	reasons := map[int64]string{}
	for _, s := range u.Skipped {
		reasons[s.ID] = s.Reason
	}
	if reasons[archived.ID] != "archived" {
		t.Errorf("archived project skipped for %q", reasons[archived.ID])
	}
	if reasons[shared.ID] != "shared into the group from elsewhere" {
		t.Errorf("shared project skipped for %q", reasons[shared.ID])
	}

	e.converge()
	rs := runners(sim, "team")
	if len(rs) != 1 || rs[0].Type != "group_type" || rs[0].Group.ID != team.ID {
		t.Fatalf("runners = %+v", rs)
	}
	for _, id := range []int64{live.ID, sub.ID} {
		if hs := hooks(sim, id); len(hs) != 1 || !hs[0].HasToken() {
			t.Errorf("project %d hooks = %+v", id, hs)
		}
	}
	for _, id := range []int64{archived.ID, shared.ID} {
		if hs := hooks(sim, id); len(hs) != 0 {
			t.Errorf("skipped project %d got hooks %+v", id, hs)
		}
	}
}

func TestBucketAcrossInstances(t *testing.T) {
	e := newEnv(t)
	var api, pay *gitlabsim.Project
	var teamA *gitlabsim.Group
	var teamProjects []*gitlabsim.Project
	com := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		g := w.AddGroup(nil, "shop")
		g.AddMember(u, gitlabsim.Maintainer)
		api, pay = w.AddProject(g, "api"), w.AddProject(g, "pay")
	})
	internal := e.server("internal.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		teamA = w.AddGroup(nil, "team-a")
		teamA.AddMember(u, gitlabsim.Maintainer)
		for _, name := range []string{"p3", "p1", "p2"} {
			teamProjects = append(teamProjects, w.AddProject(teamA, name))
		}
	})
	e.nest(`
eggsbucket "selected" {
  repositories {
    repo "api" {
      gitlab {
        server     = "gitlab.com"
        project_id = ` + itoa(api.ID) + `
      }
    }
    repo "team-a" {
      gitlab {
        server   = "internal.com"
        group_id = ` + itoa(teamA.ID) + `
      }
    }
    repo "pay" {
      gitlab {
        server     = "gitlab.com"
        project_id = ` + itoa(pay.ID) + `
      }
    }
  }
}
`)
	e.converge()

	rs := runners(com, "selected")
	if len(rs) != 1 || rs[0].Locked || rs[0].Projects[0].ID != api.ID {
		t.Fatalf("gitlab.com runners = %+v", rs)
	}
	want := projectIDs([]*gitlabsim.Project{api, pay})
	if ids := projectIDs(rs[0].Projects); !slices.Equal(ids, want) {
		t.Errorf("gitlab.com runner on %v", ids)
	}
	rs = runners(internal, "selected")
	if len(rs) != 1 {
		t.Fatalf("internal.com runners = %+v", rs)
	}
	if ids := projectIDs(rs[0].Projects); !slices.Equal(ids, projectIDs(teamProjects)) {
		t.Errorf("internal.com runner on %v, want every discovered project", ids)
	}
	lowest := projectIDs(teamProjects)[0]
	if rs[0].Projects[0].ID != lowest {
		t.Errorf("internal.com runner owned by %d, want the lowest id %d",
			rs[0].Projects[0].ID, lowest)
	}
	sims := map[string]*gitlabsim.Server{"gitlab.com": com, "internal.com": internal}
	for name, sim := range sims {
		rec := e.record(name, "selected")
		r := runners(sim, "selected")[0]
		if rec.RunnerID != r.ID || rec.Values[secrets.RunnerToken] != r.Token {
			t.Errorf("%s: record holds runner %d, want %d and its token", name, rec.RunnerID, r.ID)
		}
	}
}

func TestChangesUpdateInPlace(t *testing.T) {
	e := newEnv(t)
	var app *gitlabsim.Project
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		g := w.AddGroup(nil, "acme")
		g.AddMember(u, gitlabsim.Maintainer)
		app = w.AddProject(g, "app")
	})
	e.nest(projectEgg("my-app", "gitlab.com", app.ID, `  runner { tags = ["a"] }`+hookBlock))
	e.converge()
	runnerID := runners(sim, "my-app")[0].ID
	hookID := hooks(sim, app.ID)[0].ID

	e.nest(projectEgg("my-app", "gitlab.com", app.ID, `  runner { tags = ["a", "b"] }
  webhook {
    url    = "https://fleet.example.com/hooks/v2"
    events = ["job", "push"]
  }
`))
	p := e.plan()
	if got := p.Summary(); got != "Plan: 0 to create, 2 to update, 0 to delete." {
		t.Fatalf("summary = %q\n%s", got, text(p))
	}
	e.converge()
	rs := runners(sim, "my-app")
	if len(rs) != 1 || rs[0].ID != runnerID || !slices.Equal(rs[0].TagList, []string{"a", "b"}) {
		t.Errorf("runners = %+v", rs)
	}
	hs := hooks(sim, app.ID)
	if len(hs) != 1 || hs[0].ID != hookID || hs[0].URL != "https://fleet.example.com/hooks/v2" ||
		!hs[0].Events["push_events"] || hs[0].Events["pipeline_events"] {
		t.Fatalf("hooks = %+v", hs)
	}
	secret := e.record("gitlab.com", "my-app").Values[secrets.WebhookSecret]
	if hs[0].TokenHash() != sha(secret) {
		t.Error("the hook lost its token in the update")
	}
}

func TestMissingAPITokenLeavesOthersPlanned(t *testing.T) {
	e := newEnv(t)
	var a, b *gitlabsim.Project
	e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		g := w.AddGroup(nil, "acme")
		g.AddMember(u, gitlabsim.Maintainer)
		a, b = w.AddProject(g, "a"), w.AddProject(g, "b")
	})
	e.nest(projectEgg("one", "gitlab.com", a.ID, ""))
	if err := os.WriteFile(filepath.Join(e.dir, "two.fly"),
		[]byte(projectEgg("two", "gitlab.com", b.ID, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	p := e.plan()
	var two *plan.Unit
	for _, u := range p.Units {
		if u.Egg == "two" {
			two = u
		} else if u.Error != "" || len(u.Actions) == 0 {
			t.Errorf("unit %s: error %q, %d actions", u, u.Error, len(u.Actions))
		}
	}
	want := "yc-lockbox://gitlab/gitlab.com/two/api-token"
	if two == nil || !strings.Contains(two.Error, want) {
		t.Fatalf("unit two error = %q, want it to name %s", two.Error, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
