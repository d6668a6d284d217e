package desired

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/config"
)

// compile loads a one-file nest and compiles it.
func compile(t *testing.T, src string) *State {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nest.fly"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	n, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatalf("nest does not load: %s", diags.Error())
	}
	return Compile(n)
}

func unit(t *testing.T, s *State, egg, server string) *Unit {
	t.Helper()
	for _, u := range s.Units {
		if u.Egg == egg && u.Server == server {
			return u
		}
	}
	t.Fatalf("no unit %s on %s among %d units", egg, server, len(s.Units))
	return nil
}

func TestCompileKinds(t *testing.T) {
	s := compile(t, `
egg "my-app" {
  gitlab {
    server     = "gitlab.com"
    project_id = 12345
  }
}
egg "platform-team" {
  gitlab {
    server   = "gitlab.company.com"
    group_id = 789
  }
}
eggsbucket "selected" {
  repositories {
    repo "team-a" {
      gitlab {
        server   = "internal.com"
        group_id = 67890
      }
    }
    repo "api" {
      gitlab {
        server     = "gitlab.com"
        project_id = 2
      }
    }
    repo "pay" {
      gitlab {
        server     = "gitlab.com"
        project_id = 1
      }
    }
  }
}
`)
	var got []string
	for _, u := range s.Units {
		got = append(got, u.Egg+"@"+u.Server+":"+string(u.Kind))
	}
	want := []string{"my-app@gitlab.com:project", "platform-team@gitlab.company.com:group",
		"selected@gitlab.com:bucket", "selected@internal.com:bucket"}
	if !slices.Equal(got, want) {
		t.Fatalf("units = %v, want %v", got, want)
	}

	t.Run("project egg is owned by its project", func(t *testing.T) {
		id, group, ok := unit(t, s, "my-app", "gitlab.com").Owner()
		if id != 12345 || group || !ok {
			t.Errorf("Owner() = %d, %v, %v", id, group, ok)
		}
	})
	t.Run("group egg is owned by its group", func(t *testing.T) {
		u := unit(t, s, "platform-team", "gitlab.company.com")
		id, group, ok := u.Owner()
		if id != 789 || !group || !ok {
			t.Errorf("Owner() = %d, %v, %v", id, group, ok)
		}
		if d := u.Groups[0].Discovery; !d.IncludeSubgroups || d.IncludeArchived || d.IncludeShared {
			t.Errorf("default discovery = %+v", d)
		}
	})
	t.Run("bucket owner is its first project in file order", func(t *testing.T) {
		id, _, ok := unit(t, s, "selected", "gitlab.com").Owner()
		if id != 2 || !ok {
			t.Errorf("Owner() = %d, %v", id, ok)
		}
	})
	t.Run("bucket server with only groups waits for discovery", func(t *testing.T) {
		if _, _, ok := unit(t, s, "selected", "internal.com").Owner(); ok {
			t.Error("Owner() ok for a server with no explicit project")
		}
	})
	t.Run("explicit projects are claimed", func(t *testing.T) {
		claimed := []ProjectKey{{"gitlab.com", 12345}, {"gitlab.com", 1}, {"gitlab.com", 2}}
		for _, k := range claimed {
			if s.Claimed[k] == nil {
				t.Errorf("project %v not claimed", k)
			}
		}
		if len(s.Claimed) != 3 {
			t.Errorf("%d projects claimed, want 3", len(s.Claimed))
		}
	})
}

func TestCompileRunnerDefaults(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, r Runner)
	}{
		{"no tags runs untagged jobs", projectEgg(""), func(t *testing.T, r Runner) {
			if !r.RunUntagged || len(r.Tags) != 0 {
				t.Errorf("RunUntagged=%v Tags=%v", r.RunUntagged, r.Tags)
			}
		}},
		{"tags alone turn untagged jobs off", projectEgg(`runner { tags = ["b", "a", "b"] }`),
			func(t *testing.T, r Runner) {
				if r.RunUntagged || !slices.Equal(r.Tags, []string{"a", "b"}) {
					t.Errorf("RunUntagged=%v Tags=%v", r.RunUntagged, r.Tags)
				}
			}},
		{"project runner locked by default", projectEgg(""), func(t *testing.T, r Runner) {
			if !r.Locked || r.AccessLevel != "not_protected" || r.Paused {
				t.Errorf("%+v", r)
			}
		}},
		{"description carries the marker", projectEgg(`runner { description = "Apps" }`),
			func(t *testing.T, r Runner) {
				if r.Description != "Apps [hatchery:my-app]" {
					t.Errorf("Description = %q", r.Description)
				}
				if !strings.Contains(r.MaintenanceNote, "hatchery:my-app") {
					t.Errorf("MaintenanceNote = %q", r.MaintenanceNote)
				}
			}},
		{"maximum_timeout in seconds", projectEgg(`runner { maximum_timeout = "1h" }`),
			func(t *testing.T, r Runner) {
				if r.MaximumTimeout != 3600 {
					t.Errorf("MaximumTimeout = %d", r.MaximumTimeout)
				}
			}},
		{"egg fields win over defaults", `
hatchery {
  defaults {
    runner {
      tags   = ["docker"]
      paused = true
    }
  }
}
` + projectEgg(`runner { paused = false }`), func(t *testing.T, r Runner) {
			if r.Paused || !slices.Equal(r.Tags, []string{"docker"}) {
				t.Errorf("Paused=%v Tags=%v", r.Paused, r.Tags)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, unit(t, compile(t, tt.src), "my-app", "gitlab.com").Runner)
		})
	}
}

func TestCompileWebhook(t *testing.T) {
	t.Run("no webhook block means no hook", func(t *testing.T) {
		if w := unit(t, compile(t, projectEgg("")), "my-app", "gitlab.com").Webhook; w != nil {
			t.Errorf("Webhook = %+v", w)
		}
	})
	t.Run("events default to job and pipeline", func(t *testing.T) {
		src := projectEgg(`webhook { url = "https://hooks.example.com/x" }`)
		w := unit(t, compile(t, src), "my-app", "gitlab.com").Webhook
		if w == nil || !slices.Equal(w.Events, DefaultEvents) || !w.SSLVerification {
			t.Errorf("Webhook = %+v", w)
		}
	})
	t.Run("defaults give the url, the egg the events", func(t *testing.T) {
		src := `
hatchery {
  defaults {
    webhook { url = "https://hooks.example.com/x" }
  }
}
` + projectEgg(`webhook { events = ["push"] }`)
		w := unit(t, compile(t, src), "my-app", "gitlab.com").Webhook
		if w == nil || w.URL != "https://hooks.example.com/x" ||
			!slices.Equal(w.Events, []string{"push"}) {
			t.Errorf("Webhook = %+v", w)
		}
	})
}

func TestCompileBucketRunnerUnlocked(t *testing.T) {
	src := `
hatchery {
  defaults {
    runner { locked = true }
  }
}
eggsbucket "b" {
  repositories {
    repo "a" {
      gitlab {
        server     = "gitlab.com"
        project_id = 1
      }
    }
  }
}
` + projectEgg("")
	s := compile(t, src)
	if unit(t, s, "b", "gitlab.com").Runner.Locked {
		t.Error("bucket runner is locked by the defaults")
	}
	if !unit(t, s, "my-app", "gitlab.com").Runner.Locked {
		t.Error("project runner is not locked by the defaults")
	}
}

func TestParseMarker(t *testing.T) {
	tests := []struct {
		text, egg string
		ok        bool
	}{
		{"Apps [hatchery:my-app]", "my-app", true},
		{"hatchery:my-app-2 and more", "my-app-2", true},
		{"hatchery:", "", false},
		{"no marker here", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			egg, ok := ParseMarker(tt.text)
			if egg != tt.egg || ok != tt.ok {
				t.Errorf("ParseMarker(%q) = %q, %v", tt.text, egg, ok)
			}
		})
	}
}

func projectEgg(body string) string {
	return `
egg "my-app" {
  gitlab {
    server     = "gitlab.com"
    project_id = 12345
  }
  ` + body + `
}
`
}
