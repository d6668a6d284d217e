package config

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// MaxNameLength is the longest egg or bucket name: names become path
// segments of secret paths and Lockbox names.
const MaxNameLength = 63

var (
	namePattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	hostLabel    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	notNameChars = regexp.MustCompile(`[^a-z0-9-]+`)
)

// NoteTokenEgg is the name reserved for the record that holds the token
// plan --mr-note posts with, yc-lockbox://gitlab/{server}/nest/api-token: an
// egg of that name would share its record and secret paths.
const NoteTokenEgg = "nest"

// NameProblem says what is wrong with an egg or bucket name, or "" when
// nothing is.
func NameProblem(name string) string {
	switch {
	case name == "":
		return "is empty"
	case len(name) > MaxNameLength:
		return fmt.Sprintf("has %d characters, more than %d", len(name), MaxNameLength)
	case !namePattern.MatchString(name):
		return "may only hold a-z, 0-9 and -, and must start with a letter or digit"
	}
	return ""
}

// checkName reports a bad egg or bucket name, with a name that would do.
func (d *decoder) checkName(name string, rng hcl.Range, kind string) {
	problem := NameProblem(name)
	if problem == "" && name == NoteTokenEgg {
		d.errorf(rng, "Reserved "+kind+" name", "The name %q is reserved: "+
			"yc-lockbox://gitlab/{server}/%s/api-token holds the token that posts the "+
			"plan on merge requests. Rename this %s, for example to %q.",
			name, name, kind, "nest-"+kind)
		return
	}
	if problem == "" {
		return
	}
	detail := fmt.Sprintf("The name %s. %s names become secret paths "+
		"(yc-lockbox://gitlab/{server}/{egg}/…), so they are 1 to %d characters of "+
		"a-z, 0-9 and -.", problem, capitalize(kind), MaxNameLength)
	if sug := nameLike(name); sug != "" {
		detail += fmt.Sprintf(" Try %q.", sug)
	}
	d.errorf(rng, "Invalid "+kind+" name", "%s", detail)
}

// nameLike turns s into a valid name if it can.
func nameLike(s string) string {
	s = notNameChars.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-")
	if len(s) > MaxNameLength {
		s = strings.TrimRight(s[:MaxNameLength], "-")
	}
	if NameProblem(s) != "" {
		return ""
	}
	return s
}

// ServerProblem says what is wrong with a server name (a host with an
// optional port), or "" when nothing is.
func ServerProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.Contains(s, "://"):
		return "has a scheme"
	case strings.ContainsAny(s, " \t\r\n"):
		return "has a space"
	case strings.Contains(s, "@"):
		return "has a user"
	case strings.ContainsAny(s, "/?#"):
		return "has a path"
	case strings.ToLower(s) != s:
		return "has upper case letters"
	}
	host := s
	if strings.Contains(s, ":") {
		h, port, err := net.SplitHostPort(s)
		if err != nil {
			return "is not a host with an optional port"
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "has a port that is not a number from 1 to 65535"
		}
		host = h
	}
	if net.ParseIP(host) == nil {
		for _, label := range strings.Split(host, ".") {
			if !hostLabel.MatchString(label) {
				return "is not a host name"
			}
		}
	}
	// Every secret path holds the server: what the secret store refuses (a
	// label over 63 characters, a name over 253) is refused here, not at apply.
	if secrets.CheckServer(s) != nil {
		return "is not a host name"
	}
	return ""
}

// checkServer reports a bad server name and says how to write it.
func (d *decoder) checkServer(s string, rng hcl.Range) bool {
	problem := ServerProblem(s)
	if problem == "" {
		return true
	}
	detail := fmt.Sprintf("The server %s. A server is a GitLab host name with an "+
		"optional port, like \"gitlab.com\" or \"gitlab.company.com:8443\".", problem)
	full := s
	if !strings.Contains(s, "://") {
		full = "https://" + s
	}
	if u, err := url.Parse(full); err == nil && u.Host != "" && ServerProblem(u.Host) == "" {
		detail += fmt.Sprintf(" Write %q", u.Host)
		if u.Path != "" && u.Path != "/" {
			detail += fmt.Sprintf(", and give the full URL in the hatchery block: "+
				"server %q { url = \"%s\" }", u.Host, full)
		}
		detail += "."
	} else if lower := strings.ToLower(s); lower != s && ServerProblem(lower) == "" {
		detail += fmt.Sprintf(" Write %q.", lower)
	}
	d.errorf(rng, "Invalid server", "%s", detail)
	return false
}

// checkHookURL reports a webhook URL that is not an absolute https URL.
func (d *decoder) checkHookURL(s string, rng hcl.Range) bool {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		d.errorf(rng, "Invalid webhook URL",
			"A webhook URL is absolute, like \"https://fleet.example.com/hooks/gitlab\".")
	case u.Scheme != "https":
		d.errorf(rng, "Webhook URL is not https",
			"GitLab sends the webhook secret in the X-Gitlab-Token header, so the URL "+
				"must be https: write \"https://%s\".", strings.TrimPrefix(s, "http://"))
	case u.User != nil:
		d.errorf(rng, "Credentials in webhook URL",
			"Remove the user and password from the URL; hatchery gives every "+
				"hook a secret of its own.")
	default:
		return true
	}
	return false
}

// checkServerURL reports a server URL that is neither https nor plain http
// to a loopback address.
func (d *decoder) checkServerURL(s string, rng hcl.Range) bool {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		d.errorf(rng, "Invalid server URL",
			"A server URL is the instance's root, like "+
				"\"https://gitlab.company.com:8443/gitlab\"; the API is below it at /api/v4.")
	case u.Scheme == "http" && !secrets.IsLoopback(u.Hostname()):
		d.errorf(rng, "Server URL is not https",
			"hatchery sends tokens to this server, so it talks plain http only to "+
				"loopback addresses: write \"https://%s\".", strings.TrimPrefix(s, "http://"))
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		d.errorf(rng, "Invalid server URL",
			"A server URL has no user, query or fragment: scheme, host, port and path only.")
	default:
		return true
	}
	return false
}

// checkGlob reports an exclude pattern that path.Match cannot use.
func (d *decoder) checkGlob(g string, rng hcl.Range) bool {
	_, err := path.Match(g, "")
	switch {
	case g == "":
		d.errorf(rng, "Empty exclude pattern",
			"An exclude pattern is a glob on the project's path with namespace, "+
				"like \"platform/legacy-*\".")
	case err != nil:
		d.errorf(rng, "Invalid exclude pattern",
			"The pattern is not a valid glob: check its brackets and backslashes. "+
				"* matches within one path segment, like \"platform/legacy-*\".")
	case strings.HasPrefix(g, "/"):
		d.errorf(rng, "Invalid exclude pattern",
			"Patterns match the path with namespace, which has no leading slash: "+
				"write %q.", strings.TrimLeft(g, "/"))
	default:
		return true
	}
	return false
}
