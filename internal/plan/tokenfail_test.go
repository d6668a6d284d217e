package plan

import (
	"strings"
	"testing"
	"time"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestTokenRefusalsSayWhatToDo: GitLab's refusals of the unit's api-token
// keep GitLab's own words and say what to do, naming the secret's path.
func TestTokenRefusalsSayWhatToDo(t *testing.T) {
	const path = "yc-lockbox://gitlab/gitlab.com/app/api-token"
	tests := []struct {
		name  string
		token func(w *gitlabsim.World, tk *gitlabsim.Token)
		want  []string
	}{
		{"expired", func(w *gitlabsim.World, tk *gitlabsim.Token) {
			tk.ExpiresAt = w.Now().Add(-time.Hour)
		}, []string{"401 Unauthorized: invalid_token: Token is expired.",
			"GitLab no longer accepts the api-token at " + path,
			"hatchery secrets set " + path}},
		{"revoked", func(w *gitlabsim.World, tk *gitlabsim.Token) {
			tk.Revoked = true
		}, []string{"Token was revoked.", "hatchery secrets set " + path}},
		{"without the api scope", func(w *gitlabsim.World, tk *gitlabsim.Token) {
			tk.Scopes = []string{"read_user"}
		}, []string{"403 Forbidden: insufficient_scope",
			"The api-token at " + path + " needs the api scope",
			"hatchery secrets set " + path}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const token = "glpat-refused-0123456789abcdef"
			var app *gitlabsim.Project
			e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
				g := w.AddGroup(nil, "acme")
				g.AddMember(bot, gitlabsim.Maintainer)
				app = w.AddProject(g, "app")
				tc.token(w, w.AddToken(bot, token, "api"))
			})
			e.nest(projectEgg("app", app.ID, ""))
			e.write("app", secrets.Update{Values: map[secrets.Type]string{
				secrets.APIToken: token}})

			u := e.plan().unit(t, "app")
			for _, w := range tc.want {
				if !strings.Contains(u.Error, w) {
					t.Errorf("error %q does not say %q", u.Error, w)
				}
			}
		})
	}
}
