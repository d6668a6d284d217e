package secrets

import (
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	good := []struct {
		name, in string
		want     Path
	}{
		{"api token", "yc-lockbox://gitlab/gitlab.com/my-app/api-token",
			Path{Unit{"gitlab.com", "my-app"}, APIToken}},
		{"runner token", "yc-lockbox://gitlab/gitlab.com/my-app/runner-token",
			Path{Unit{"gitlab.com", "my-app"}, RunnerToken}},
		{"webhook secret", "yc-lockbox://gitlab/gitlab.com/my-app/webhook-secret",
			Path{Unit{"gitlab.com", "my-app"}, WebhookSecret}},
		{"host and port", "yc-lockbox://gitlab/127.0.0.1:8080/a/api-token",
			Path{Unit{"127.0.0.1:8080", "a"}, APIToken}},
		{"ipv6 with port", "yc-lockbox://gitlab/[::1]:8443/e1/api-token",
			Path{Unit{"[::1]:8443", "e1"}, APIToken}},
		{"ipv6 alone", "yc-lockbox://gitlab/[2001:db8::1]/e1/api-token",
			Path{Unit{"[2001:db8::1]", "e1"}, APIToken}},
		{"single label host", "yc-lockbox://gitlab/localhost/0egg-/api-token",
			Path{Unit{"localhost", "0egg-"}, APIToken}},
		{"longest egg", "yc-lockbox://gitlab/gitlab.com/" + strings.Repeat("a", 63) +
			"/api-token", Path{Unit{"gitlab.com", strings.Repeat("a", 63)}, APIToken}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePath(tc.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParsePath(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestParsePathRejects(t *testing.T) {
	bad := []struct{ name, in, why string }{
		{"empty", "", "must start with"},
		{"other scheme", "vault://gitlab/gitlab.com/a/api-token", "must start with"},
		{"missing gitlab", "yc-lockbox://gitlab.com/a/api-token", "must start with"},
		{"upper-case scheme", "YC-LOCKBOX://gitlab/gitlab.com/a/api-token", "must start with"},
		{"too few segments", "yc-lockbox://gitlab/gitlab.com/api-token", "2 segments"},
		{"too many segments", "yc-lockbox://gitlab/gitlab.com/g/a/api-token", "4 segments"},
		{"trailing slash", "yc-lockbox://gitlab/gitlab.com/a/api-token/", "4 segments"},
		{"empty server", "yc-lockbox://gitlab//a/api-token", "lower-case host"},
		{"upper-case server", "yc-lockbox://gitlab/GitLab.com/a/api-token", "lower-case host"},
		{"scheme in server", "yc-lockbox://gitlab/https:/a/api-token", "port must"},
		{"user in server", "yc-lockbox://gitlab/me@gitlab.com/a/api-token", "lower-case host"},
		{"underscore in host", "yc-lockbox://gitlab/git_lab.com/a/api-token", "lower-case host"},
		{"empty label", "yc-lockbox://gitlab/gitlab..com/a/api-token", "lower-case host"},
		{"trailing dot", "yc-lockbox://gitlab/gitlab.com./a/api-token", "lower-case host"},
		{"hyphen label end", "yc-lockbox://gitlab/gitlab-.com/a/api-token", "lower-case host"},
		{"port zero", "yc-lockbox://gitlab/gitlab.com:0/a/api-token", "port must"},
		{"port too big", "yc-lockbox://gitlab/gitlab.com:65536/a/api-token", "port must"},
		{"port leading zero", "yc-lockbox://gitlab/gitlab.com:080/a/api-token", "port must"},
		{"port sign", "yc-lockbox://gitlab/gitlab.com:+80/a/api-token", "port must"},
		{"empty port", "yc-lockbox://gitlab/gitlab.com:/a/api-token", "port must"},
		{"bare ipv6", "yc-lockbox://gitlab/::1/a/api-token", "lower-case host"},
		{"ipv4 in brackets", "yc-lockbox://gitlab/[127.0.0.1]/a/api-token", "lower-case host"},
		{"ipv6 zone", "yc-lockbox://gitlab/[fe80::1%25eth0]/a/api-token", "lower-case host"},
		{"empty egg", "yc-lockbox://gitlab/gitlab.com//api-token", "egg \"\""},
		{"upper-case egg", "yc-lockbox://gitlab/gitlab.com/My-App/api-token", "[a-z0-9-]"},
		{"egg with underscore", "yc-lockbox://gitlab/gitlab.com/my_app/api-token", "[a-z0-9-]"},
		{"egg starts with hyphen", "yc-lockbox://gitlab/gitlab.com/-app/api-token", "starting"},
		{"egg too long", "yc-lockbox://gitlab/gitlab.com/" + strings.Repeat("a", 64) +
			"/api-token", "1 to 63"},
		{"unknown type", "yc-lockbox://gitlab/gitlab.com/a/password", "unknown secret type"},
		{"type case", "yc-lockbox://gitlab/gitlab.com/a/API-TOKEN", "unknown secret type"},
		{"empty type", "yc-lockbox://gitlab/gitlab.com/a/", "unknown secret type"},
		{"query", "yc-lockbox://gitlab/gitlab.com/a/api-token?v=2", "unknown secret type"},
		{"space", "yc-lockbox://gitlab/gitlab.com/a/api-token ", "unknown secret type"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePath(tc.in)
			if err == nil {
				t.Fatalf("ParsePath(%q) = %+v, want an error", tc.in, p)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.why) {
				t.Errorf("error %q does not say %q", msg, tc.why)
			}
			if !strings.Contains(msg, "want yc-lockbox://gitlab/{server}/{egg}/{type}") {
				t.Errorf("error %q does not name the expected shape", msg)
			}
		})
	}
}

func TestCheckServerLongHost(t *testing.T) {
	label := strings.Repeat("a", 63)
	ok := strings.Join([]string{label, label, label, strings.Repeat("b", 61)}, ".")
	if err := CheckServer(ok); err != nil {
		t.Errorf("253-character host: %v", err)
	}
	if err := CheckServer(ok + "b"); err == nil {
		t.Error("254-character host accepted")
	}
	if err := CheckServer(strings.Repeat("a", 64) + ".com"); err == nil {
		t.Error("64-character label accepted")
	}
}
