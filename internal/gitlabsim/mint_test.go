package gitlabsim

import "testing"

// TestSeedTokensByServer: two simulated servers built alike mint
// different runner tokens, so a token stored for one server fails on the
// other; the same server built twice mints the same ones.
func TestSeedTokensByServer(t *testing.T) {
	fixture := []byte(`{"groups": [{"path": "acme"}], "projects": [{"path": "acme/app"}],
		"runners": [{"runner_type": "project_type", "projects": ["acme/app"]},
		            {"runner_type": "project_type", "projects": ["acme/app"],
		             "token": "glrt-given-0123456789"}]}`)
	build := func(server string) (fixtureToken, apiToken, given string) {
		w, _, err := Load(fixture)
		if err != nil {
			t.Fatal(err)
		}
		w.SeedTokens(server)
		r := w.AddRunner("project_type", nil, w.ProjectByPath("acme/app"))
		return w.Runner(1).Token, r.Token, w.Runner(2).Token
	}
	cases := []struct {
		name, a, b string
		same       bool
	}{
		{"two servers", "gitlab.com", "gitlab.example.com", false},
		{"a port makes another server", "gitlab.com", "gitlab.com:8443", false},
		{"one server built twice", "gitlab.com", "gitlab.com", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fa, aa, ga := build(tc.a)
			fb, ab, gb := build(tc.b)
			if (fa == fb) != tc.same || (aa == ab) != tc.same {
				t.Errorf("tokens of %s %q %q, of %s %q %q; want same = %v",
					tc.a, fa, aa, tc.b, fb, ab, tc.same)
			}
			if ga != "glrt-given-0123456789" || gb != ga {
				t.Errorf("a token the fixture gives changed: %q, %q", ga, gb)
			}
			if fa == aa {
				t.Errorf("one server minted %q twice", fa)
			}
		})
	}
}
