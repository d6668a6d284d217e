package gitlab

import (
	"maps"
	"strings"
	"testing"
)

func TestParseServerURLs(t *testing.T) {
	good := []struct {
		name, in string
		want     map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"blank", "  ", map[string]string{}},
		{"one loopback", "gitlab.com=http://127.0.0.1:8080",
			map[string]string{"gitlab.com": "http://127.0.0.1:8080"}},
		{"two with spaces", "gitlab.com=http://localhost:1, host2:8443=https://h.example/gl",
			map[string]string{"gitlab.com": "http://localhost:1",
				"host2:8443": "https://h.example/gl"}},
		{"ipv6 loopback", "a.example=http://[::1]:9",
			map[string]string{"a.example": "http://[::1]:9"}},
		{"loopback range", "a.example=http://127.3.4.5",
			map[string]string{"a.example": "http://127.3.4.5"}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseServerURLs(tc.in)
			if err != nil {
				t.Fatalf("ParseServerURLs(%q): %v", tc.in, err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("ParseServerURLs(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}

	bad := []struct{ name, in, want string }{
		{"no equals", "gitlab.com", `entry 1 "gitlab.com": want server=url`},
		{"empty server", "=http://127.0.0.1", "want server=url"},
		{"empty url", "gitlab.com=", "want server=url"},
		{"trailing comma", "a.example=https://a.example,", `entry 2 "": want server=url`},
		{"server with scheme", "https://a.example=https://a.example",
			`server "https://a.example": want a host name`},
		{"server with path", "a.example/x=https://a.example", "want a host name"},
		{"duplicate", "a.example=https://x.example,a.example=https://y.example",
			`entry 2: server "a.example" given twice`},
		{"not http", "a.example=ftp://a.example", "want an https:// url"},
		{"no scheme", "a.example=a.example:8080", "want an https:// url"},
		{"http to private address", "a.example=http://10.0.0.1:8080",
			"plain http is only allowed to loopback"},
		{"http to a name", "a.example=http://gitlab.example", "plain http"},
		{"user info", "a.example=https://me:glpat-xyz@a.example", "user information"},
		{"query", "a.example=https://a.example/?x=1", "query or fragment"},
		{"bad port", "a.example=https://a.example:99999x", "url is not valid"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseServerURLs(tc.in)
			if err == nil {
				t.Fatalf("ParseServerURLs(%q) accepted it", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "glpat-xyz") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestAPIRoot(t *testing.T) {
	cfg := Config{
		ServerURLs: map[string]string{
			"gl.company.com": "https://gl.company.com:8443/gitlab/",
			"api.example":    "https://api.example/api/v4",
			"both.example":   "https://nest.example",
			"plain.example":  "http://plain.example",
		},
		Overrides: map[string]string{"both.example": "http://127.0.0.1:8080"},
	}
	tests := []struct{ name, server, want, err string }{
		{"default", "gitlab.com", "https://gitlab.com/api/v4", ""},
		{"default with port", "gitlab.com:8443", "https://gitlab.com:8443/api/v4", ""},
		{"nest url with path", "gl.company.com", "https://gl.company.com:8443/gitlab/api/v4", ""},
		{"nest url is the api root", "api.example", "https://api.example/api/v4", ""},
		{"override wins", "both.example", "http://127.0.0.1:8080/api/v4", ""},
		{"plain http to a name", "plain.example", "",
			"server plain.example (from the nest): url \"http://plain.example\": plain http"},
		{"bad server name", "https://x", "", "want a host name"},
	}
	p := NewPool(cfg)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.APIRoot(tc.server)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("APIRoot(%q) error = %v, want %q", tc.server, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("APIRoot(%q): %v", tc.server, err)
			}
			if got.String() != tc.want {
				t.Errorf("APIRoot(%q) = %s, want %s", tc.server, got, tc.want)
			}
		})
	}
}

func TestPlainHTTPRefusedBeforeAnyConnection(t *testing.T) {
	p := NewPool(Config{ServerURLs: map[string]string{"gl.example": "http://192.0.2.1"}})
	if _, err := p.Client("gl.example", "token"); err == nil ||
		!strings.Contains(err.Error(), "plain http is only allowed to loopback") {
		t.Fatalf("Client for plain http to 192.0.2.1: error = %v", err)
	}
	if got := p.Counts("gl.example"); got != (Counts{}) {
		t.Errorf("counts after refusal = %+v, want none", got)
	}

	// The dialer of a loopback http server refuses a name that resolved
	// elsewhere, before connecting.
	root, _ := apiRoot("http://localhost:8080")
	s := newServer("local", root, Config{}.withDefaults())
	control := s.dialer().Control
	if err := control("tcp", "192.0.2.1:8080", nil); err == nil {
		t.Error("dialer accepted 192.0.2.1 for plain http")
	}
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080"} {
		if err := control("tcp", addr, nil); err != nil {
			t.Errorf("dialer refused %s: %v", addr, err)
		}
	}
}
