package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// The bindcheck script command holds hatchery to "a secret is only ever
// sent to the server named in its own path":
//
//	bindcheck    from here on, a request to any gitlabsim server started so
//	             far that carries a secret stored for another server fails
//	             the script when it ends
//
// A secret's server is the one its record names: the description
// (yc-lockbox://gitlab/{server}/…) of a secret in the Lockbox simulator, or
// the record's server in a file store in the work directory. The check
// reads the stores at each request, so secrets that apply makes count as
// soon as they are stored. A value stored for two servers is foreign to
// neither.
func init() {
	scriptCmds["bindcheck"] = bindcheckCmd
}

// misdirected holds, by work directory, what the check found.
var misdirected = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

func bindcheckCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: bindcheck")
	}
	sims.Lock()
	servers := sims.m[ts]
	sims.Unlock()
	if len(servers) == 0 {
		ts.Fatalf("bindcheck: start the gitlabsim servers first")
	}
	work := ts.Getenv("WORK")
	for host, s := range servers {
		s.Inspect(func(r *http.Request, body []byte) {
			if other, v := foreignSecret(ts, work, host, r, body); v != "" {
				misdirected.Lock()
				misdirected.m[work] = append(misdirected.m[work], fmt.Sprintf(
					"%s %s to %s carries %s, a secret of %s", r.Method, r.URL.Path, host,
					mask(v), other))
				misdirected.Unlock()
			}
		})
	}
}

// checkBinding arranges for a script to fail when bindcheck saw a secret
// sent to the wrong server.
func checkBinding(e *testscript.Env) {
	work := e.WorkDir
	e.Defer(func() {
		misdirected.Lock()
		found := misdirected.m[work]
		delete(misdirected.m, work)
		misdirected.Unlock()
		if len(found) > 0 {
			e.T().Fatal("secret sent to the wrong server: " + strings.Join(found, "; "))
		}
	})
}

// foreignSecret returns a secret of another server that the request
// carries in its URL, headers or body, and that server.
func foreignSecret(ts *testscript.TestScript, work, host string, r *http.Request,
	body []byte) (server, value string) {
	var seen bytes.Buffer
	seen.WriteString(r.URL.RequestURI() + "\n")
	r.Header.Write(&seen)
	seen.Write(body)
	raw := seen.Bytes()
	unescaped := raw
	if s, err := url.QueryUnescape(string(raw)); err == nil {
		unescaped = []byte(s)
	}

	owners := secretOwners(ts, work)
	for v, servers := range owners {
		if servers[host] {
			continue
		}
		if bytes.Contains(raw, []byte(v)) || bytes.Contains(unescaped, []byte(v)) {
			for s := range servers {
				return s, v
			}
		}
	}
	return "", ""
}

// secretOwners maps every stored secret value (long enough to be one) to
// the servers it is stored for.
func secretOwners(ts *testscript.TestScript, work string) map[string]map[string]bool {
	owners := map[string]map[string]bool{}
	add := func(server, v string) {
		if len(v) < secrets.MinMaskLen {
			return
		}
		if owners[v] == nil {
			owners[v] = map[string]bool{}
		}
		owners[v][server] = true
	}
	lockboxSims.Lock()
	lb := lockboxSims.m[ts]
	lockboxSims.Unlock()
	if lb != nil {
		for _, sec := range lb.Secrets() {
			rest, ok := strings.CutPrefix(sec.Description, secrets.Scheme)
			server, _, _ := strings.Cut(rest, "/")
			if !ok || server == "" {
				continue
			}
			for _, v := range sec.Entries {
				add(server, v)
			}
		}
	}
	filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			recs, _ := fileRecords(path)
			for _, rec := range recs {
				for _, v := range rec.Secrets {
					add(rec.Server, v)
				}
			}
		}
		return nil
	})
	return owners
}

// fileRecord is what the leak and binding checks read of a file store's
// record.
type fileRecord struct {
	Server  string            `json:"server"`
	Secrets map[string]string `json:"secrets"`
}

// fileRecords reads the records of a file store; ok is false when path is
// not one.
func fileRecords(path string) (recs []fileRecord, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var f struct {
		FormatVersion int          `json:"format_version"`
		Records       []fileRecord `json:"records"`
	}
	if json.Unmarshal(data, &f) != nil || f.FormatVersion == 0 {
		return nil, false
	}
	return f.Records, true
}

// TestBindingCheckFails proves that bindcheck can fail: a script that sends
// one server's api token to the other must not pass.
func TestBindingCheckFails(t *testing.T) {
	r := &recordingT{}
	testscript.RunT(r, scriptParams("../../testdata/binding"))
	if !r.failed() || !strings.Contains(r.messages(),
		"GET /api/v4/user to gitlab.company.com carries glpat-…, a secret of gitlab.com") {
		t.Fatalf("a script that sent a token to the wrong server passed:\n%s", r.messages())
	}
	if strings.Contains(r.messages(), "glpat-alice-bindcheck-0123456789") {
		t.Fatal("the report itself prints the token")
	}
}
