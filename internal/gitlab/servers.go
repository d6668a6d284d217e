package gitlab

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// apiPath is where GitLab serves its REST API below an instance's URL.
const apiPath = "/api/v4"

// ParseServerURLs parses HATCHERY_SERVER_URLS: comma-separated
// server=url pairs such as "gitlab.com=http://127.0.0.1:8080". An empty
// value gives no overrides. Every entry must be well formed; the first bad
// one is an error that names it.
func ParseServerURLs(s string) (map[string]string, error) {
	urls := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return urls, nil
	}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		server, raw, ok := strings.Cut(entry, "=")
		if !ok || server == "" || raw == "" {
			return nil, fmt.Errorf("HATCHERY_SERVER_URLS: entry %d %q: want server=url",
				i+1, entry)
		}
		if err := checkServerName(server); err != nil {
			return nil, fmt.Errorf("HATCHERY_SERVER_URLS: entry %d: %w", i+1, err)
		}
		if _, dup := urls[server]; dup {
			return nil, fmt.Errorf("HATCHERY_SERVER_URLS: entry %d: server %q given twice",
				i+1, server)
		}
		if _, err := apiRoot(raw); err != nil {
			return nil, fmt.Errorf("HATCHERY_SERVER_URLS: entry %d: server %s: %w",
				i+1, server, err)
		}
		urls[server] = raw
	}
	return urls, nil
}

// checkServerName accepts a host name or address with an optional port, as
// servers are named in the nest: no scheme, no path, no user.
func checkServerName(server string) error {
	u, err := url.Parse("https://" + server)
	if err != nil || u.Host != server || u.User != nil || u.Path != "" ||
		u.RawQuery != "" || u.Fragment != "" || u.Hostname() == "" {
		return fmt.Errorf("server %q: want a host name with an optional port", server)
	}
	return nil
}

// apiRoot turns an instance URL (or an API root) into the API root:
// "https://host/gitlab" becomes "https://host/gitlab/api/v4". It enforces
// the transport rule: https everywhere, plain http only to loopback.
func apiRoot(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the whole url, password included
		}
		return nil, fmt.Errorf("url is not valid: %w", err)
	}
	shown := u.Redacted()
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("url %q: want an https:// url", shown)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("url %q: no host", shown)
	case u.User != nil:
		return nil, fmt.Errorf("url %q: user information is not allowed", shown)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("url %q: a query or fragment is not allowed", shown)
	case u.Scheme == "http" && !secrets.IsLoopback(u.Hostname()):
		return nil, fmt.Errorf("url %q: plain http is only allowed to loopback addresses "+
			"(127.0.0.0/8, ::1, localhost); use https", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(u.Path, apiPath) {
		u.Path += apiPath
	}
	u.RawPath = ""
	return u, nil
}
