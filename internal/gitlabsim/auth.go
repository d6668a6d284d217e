package gitlabsim

import (
	"net/http"
	"strings"
)

// call is one API request being answered.
type call struct {
	w      *World
	req    *http.Request
	route  *route
	path   map[string]string
	params params
	base   string

	user  *User
	token *Token
	job   *JobToken
}

func (c *call) decoder() *decoder { return &decoder{ps: c.params} }

// authenticate finds the caller, as GitLab's API guard does:
//   - PRIVATE-TOKEN, a private_token parameter, or Authorization: Bearer name
//     an access token; an unknown one is 401 {"message":"401 Unauthorized"};
//   - an expired or revoked token is 401 invalid_token with a description;
//   - a token without a scope the endpoint accepts is 403 insufficient_scope;
//   - JOB-TOKEN counts only on endpoints that allow job tokens; elsewhere it
//     is ignored, so the request is anonymous and gets 401.
func (c *call) authenticate() *reply {
	if c.route.runnerAPI {
		return nil
	}
	if value := c.accessToken(); value != "" {
		return c.withAccessToken(value)
	}
	if value := c.jobToken(); value != "" && c.route.job {
		j := c.w.jobTokens[value]
		if j == nil {
			return unauthorized()
		}
		c.job, c.user = j, j.User
		return nil
	}
	if c.route.anon {
		return nil
	}
	return unauthorized()
}

func (c *call) accessToken() string {
	r := c.req
	if v := r.Header.Get("PRIVATE-TOKEN"); v != "" {
		return v
	}
	if v := r.URL.Query().Get("private_token"); v != "" {
		return v
	}
	if v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(v)
	}
	return ""
}

func (c *call) jobToken() string {
	if v := c.req.Header.Get("JOB-TOKEN"); v != "" {
		return v
	}
	return c.req.URL.Query().Get("job_token")
}

func (c *call) withAccessToken(value string) *reply {
	t := c.w.tokens[value]
	switch {
	case t == nil:
		return unauthorized()
	case t.Revoked:
		return invalidToken("Token was revoked. You have to re-authorize from the user.")
	case !t.ExpiresAt.IsZero() && !c.w.Now().Before(t.ExpiresAt):
		return invalidToken("Token is expired. " +
			"You can either do re-authorization or token refresh.")
	}
	allowed := c.allowedScopes()
	for _, s := range t.Scopes {
		for _, a := range allowed {
			if s == a {
				c.token, c.user = t, t.User
				return nil
			}
		}
	}
	return jsonReply(http.StatusForbidden, map[string]any{
		"error": "insufficient_scope",
		"error_description": "The request requires higher privileges " +
			"than provided by the access token.",
		"scope": strings.Join(allowed, " "),
	})
}

// allowedScopes: api everywhere, read_api on reads, plus the endpoint's own.
func (c *call) allowedScopes() []string {
	out := []string{"api"}
	if c.req.Method == http.MethodGet || c.req.Method == http.MethodHead {
		out = append(out, "read_api")
	}
	return append(out, c.route.scopes...)
}

// invalidToken is the OAuth-style 401 GitLab gives for expired and revoked
// tokens, with the matching WWW-Authenticate header.
func invalidToken(description string) *reply {
	rep := jsonReply(http.StatusUnauthorized, map[string]any{
		"error": "invalid_token", "error_description": description,
	})
	rep.header = http.Header{"Www-Authenticate": {`Bearer realm="The API", ` +
		`error="invalid_token", error_description="` + description + `"`}}
	return rep
}
