package config

import (
	"strings"
	"testing"
	"time"
)

func TestNameProblem(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"my-app", true},
		{"a", true},
		{"9lives", true},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"My-App", false},
		{"team/app", false},
		{"..", false},
		{"-leading", false},
		{"under_score", false},
		{"dot.ted", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NameProblem(tt.name); (got == "") != tt.ok {
				t.Errorf("NameProblem(%q) = %q, want ok=%v", tt.name, got, tt.ok)
			}
		})
	}
}

func TestNameLikeSuggestsValidNames(t *testing.T) {
	tests := map[string]string{
		"My_App":                 "my-app",
		"team/app":               "team-app",
		"..":                     "",
		strings.Repeat("b", 70):  strings.Repeat("b", 63),
		"Selected Microservices": "selected-microservices",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := nameLike(in); got != want {
				t.Errorf("nameLike(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestServerProblem(t *testing.T) {
	tests := []struct {
		server  string
		problem string // "" when valid
	}{
		{"gitlab.com", ""},
		{"gitlab.company.com:8443", ""},
		{"127.0.0.1:8080", ""},
		{"[::1]:8080", ""},
		{"localhost", ""},
		{"https://gitlab.com", "has a scheme"},
		{"gitlab.com/group", "has a path"},
		{"gitlab .com", "has a space"},
		{"user@gitlab.com", "has a user"},
		{"GitLab.com", "has upper case letters"},
		{"gitlab.com:0", "has a port that is not a number from 1 to 65535"},
		{"gitlab.com:http", "has a port that is not a number from 1 to 65535"},
		{"gitlab.com:", "has a port that is not a number from 1 to 65535"},
		{"gitlab.com:080", "has a port that is not a number from 1 to 65535"},
		{strings.Repeat("a", 64) + ".com", "is not a host name"},
		{strings.Repeat("a.", 127) + "com", "is not a host name"},
		{"gitlab..com", "is not a host name"},
		{"-gitlab.com", "is not a host name"},
		{"gitlab_com", "is not a host name"},
		{"", "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			if got := ServerProblem(tt.server); got != tt.problem {
				t.Errorf("ServerProblem(%q) = %q, want %q", tt.server, got, tt.problem)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"server", "project_id", "group_id"}
	tests := []struct{ name, want string }{
		{"id", "project_id"},
		{"gid", "group_id"},
		{"sever", "server"},
		{"project_ids", "project_id"},
		{"url", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suggest(tt.name, known); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestFindTokens(t *testing.T) {
	iam := "t1." + strings.Repeat("9euelZqXjp", 6) + ".sig_-part"
	tests := []struct {
		name, src string
		kinds     []string // secret type of each hit, "" for non-GitLab ones
	}{
		{"personal access token", `x = "glpat-ABCDEFGHIJKLMNOPQRST"`, []string{"api-token"}},
		{"runner token", `# glrt-t1_ABCDEFGHIJKLMNOPQRST`, []string{"runner-token"}},
		{"deploy token", `"gldt-ABCDEFGHIJKLMNOPQRST"`, []string{"api-token"}},
		{"trigger token", `"glptt-0123456789abcdef0123"`, []string{"api-token"}},
		{"registration token", `"GR1348941ABCDEFGHIJKLMNOPQ"`, []string{"runner-token"}},
		{"yandex iam token", `token = "` + iam + `"`, []string{""}},
		{"two tokens", `["glpat-ABCDEFGHIJKLMNOPQRST", "glrt-ABCDEFGHIJKLMNOPQRST"]`,
			[]string{"api-token", "runner-token"}},
		{"short prefix only", `tags = ["glpat-x"]`, nil},
		{"instance type", `flavor = "t1.small"`, nil},
		{"inside a word", `"xglpat-ABCDEFGHIJKLMNOPQRST"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := findTokens([]byte(tt.src))
			if len(hits) != len(tt.kinds) {
				t.Fatalf("found %d tokens, want %d", len(hits), len(tt.kinds))
			}
			for i, h := range hits {
				if h.kind.secret != tt.kinds[i] {
					t.Errorf("hit %d is for %q, want %q", i, h.kind.secret, tt.kinds[i])
				}
			}
			masked := string(maskTokens([]byte(tt.src), hits))
			if len(masked) != len(tt.src) {
				t.Errorf("masking changed the length: %q", masked)
			}
			if len(hits) > 0 && len(findTokens([]byte(masked))) != 0 {
				t.Errorf("masked text still holds a token: %q", masked)
			}
		})
	}
}

func TestFmtDuration(t *testing.T) {
	tests := map[string]string{"10m0s": "10m", "1h0m0s": "1h", "1h30m0s": "1h30m", "1s": "1s"}
	for in, want := range tests {
		d, err := time.ParseDuration(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestHookEventsMatchEventNames(t *testing.T) {
	if len(EventNames) != len(HookEvents) {
		t.Fatalf("%d event names, %d hook events", len(EventNames), len(HookEvents))
	}
	for _, e := range EventNames {
		if _, ok := HookEvents[e]; !ok {
			t.Errorf("event %q has no hook option", e)
		}
	}
}
