package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rogpeppe/go-internal/testscript"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// The gitlabsim script command runs GitLab simulators inside the test
// process, one or more per script:
//
//	gitlabsim start [-name HOST] FIXTURE   start one; HOST defaults to gitlab.com
//	gitlabsim world [-name HOST]           print the world as JSON
//	gitlabsim requests [-name HOST]        print the request log, METHOD ROUTE STATUS
//	gitlabsim reset-requests [-name HOST]  empty the request log
//	gitlabsim count [-name HOST] METHOD ROUTE
//	                                       print how many requests matched
//	gitlabsim api [-name HOST] [-token T] METHOD PATH [JSON]
//	                                       call the API, print the status and body
//	gitlabsim delete-runner [-name HOST] ID
//	gitlabsim edit-runner [-name HOST] ID FIELD=VALUE...
//	                                       fields: description tags paused locked
//	                                       run_untagged access_level maximum_timeout
//	                                       maintenance_note
//	gitlabsim delete-hook [-name HOST] ID
//	gitlabsim hook-token [-name HOST] ID [TOKEN]
//	                                       set a hook's token; without TOKEN clear it
//	gitlabsim fail [-name HOST] [-status N] [-every N] METHOD ROUTE [TIMES]
//	gitlabsim drop [-name HOST] METHOD ROUTE [TIMES]
//	gitlabsim throttle [-name HOST] [-retry-after D] METHOD ROUTE [TIMES]
//	gitlabsim clear-faults [-name HOST]
//	gitlabsim latency [-name HOST] DURATION
//	gitlabsim ratelimit [-name HOST] LIMIT WINDOW
//
// start appends HOST=URL to HATCHERY_SERVER_URLS and sets GITLABSIM_URL_<HOST>
// (HOST upper-cased, other characters as _) to the server's root URL;
// GITLABSIM_URL is the first server's. The API root is URL + "/api/v4". A
// ROUTE is a pattern as the log shows it, "/user/runners" or
// "/projects/:id/hooks"; "*" matches every method or route.
func init() {
	scriptCmds["gitlabsim"] = gitlabsimCmd
}

// sims are the running simulators of each script, by host name.
var sims = struct {
	sync.Mutex
	m map[*testscript.TestScript]map[string]*gitlabsim.Server
}{m: map[*testscript.TestScript]map[string]*gitlabsim.Server{}}

type simArgs struct {
	ts         *testscript.TestScript
	name       string
	token      string
	status     int
	every      int
	retryAfter time.Duration
	rest       []string
}

var simVerbs = map[string]func(a *simArgs) error{
	"start": simStart, "world": simWorld, "requests": simRequests,
	"reset-requests": simResetRequests, "count": simCount, "api": simAPI,
	"edit-runner": simEditRunner, "hook-token": simHookToken,
	"fail": simFault, "drop": simFault, "throttle": simFault,
	"clear-faults": simClearFaults, "latency": simLatency, "ratelimit": simRateLimit,

	"delete-runner": simDelete("runner", (*gitlabsim.World).DeleteRunner),
	"delete-hook":   simDelete("hook", (*gitlabsim.World).DeleteHook),
}

// gitlabsimCmd runs one verb; "! gitlabsim" expects it to fail.
func gitlabsimCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 || simVerbs[args[0]] == nil {
		if neg {
			ts.Logf("gitlabsim: unknown verb")
			return
		}
		ts.Fatalf("usage: gitlabsim start|world|requests|reset-requests|count|api|" +
			"delete-runner|edit-runner|delete-hook|hook-token|fail|drop|throttle|" +
			"clear-faults|latency|ratelimit ...")
	}
	// Every verb replaces stdout, even with nothing, so that "! stdout ."
	// speaks of this command rather than an earlier one.
	ts.Stdout()
	a := &simArgs{ts: ts}
	fs := flag.NewFlagSet("gitlabsim "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.name, "name", "gitlab.com", "host name of the simulated server")
	fs.StringVar(&a.token, "token", "", "access token for api")
	fs.IntVar(&a.status, "status", 500, "status a failure answers")
	fs.IntVar(&a.every, "every", 0, "fail every Nth matching request")
	fs.DurationVar(&a.retryAfter, "retry-after", time.Second, "wait a 429 announces")
	if err := fs.Parse(args[1:]); err != nil {
		ts.Fatalf("gitlabsim %s: %v", args[0], err)
	}
	a.rest = fs.Args()
	if args[0] == "throttle" {
		a.status = http.StatusTooManyRequests
	}
	if args[0] == "drop" {
		a.status = -1
	}
	finish(ts, neg, "gitlabsim "+args[0], simVerbs[args[0]](a))
}

// server is the running simulator named by -name.
func (a *simArgs) server() (*gitlabsim.Server, error) {
	sims.Lock()
	defer sims.Unlock()
	s := sims.m[a.ts][a.name]
	if s == nil {
		return nil, fmt.Errorf("gitlabsim: no server %q started", a.name)
	}
	return s, nil
}

func (a *simArgs) want(n int, usage string) error {
	if len(a.rest) != n {
		return fmt.Errorf("usage: gitlabsim %s", usage)
	}
	return nil
}

// with checks the argument count and runs f on the named server.
func (a *simArgs) with(n int, usage string, f func(s *gitlabsim.Server) error) error {
	if err := a.want(n, usage); err != nil {
		return err
	}
	s, err := a.server()
	if err != nil {
		return err
	}
	return f(s)
}

func simStart(a *simArgs) error {
	if err := a.want(1, "start [-name HOST] FIXTURE"); err != nil {
		return err
	}
	w, opts, err := gitlabsim.LoadFile(a.ts.MkAbs(a.rest[0]))
	if err != nil {
		return err
	}
	w.SeedTokens(a.name)
	s := gitlabsim.New(w, opts...)
	if err := register(a.ts, a.name, s); err != nil {
		return err
	}
	url, err := s.Start()
	if err != nil {
		return err
	}
	list := a.ts.Getenv("HATCHERY_SERVER_URLS")
	if list != "" {
		list += ","
	}
	a.ts.Setenv("HATCHERY_SERVER_URLS", list+a.name+"="+url)
	a.ts.Setenv(simURLVar(a.name), url)
	if a.ts.Getenv("GITLABSIM_URL") == "" {
		a.ts.Setenv("GITLABSIM_URL", url)
	}
	return nil
}

// register files s under the script and host; the script's end closes it.
func register(ts *testscript.TestScript, name string, s *gitlabsim.Server) error {
	sims.Lock()
	defer sims.Unlock()
	if sims.m[ts] == nil {
		sims.m[ts] = map[string]*gitlabsim.Server{}
		ts.Defer(func() {
			sims.Lock()
			defer sims.Unlock()
			for _, s := range sims.m[ts] {
				s.Close()
			}
			delete(sims.m, ts)
		})
	}
	if sims.m[ts][name] != nil {
		return fmt.Errorf("gitlabsim: server %q already started", name)
	}
	sims.m[ts][name] = s
	return nil
}

// simURLVar is GITLABSIM_URL_ and the host in upper case, other
// characters as underscores: gitlab.company.com:8443 gives
// GITLABSIM_URL_GITLAB_COMPANY_COM_8443.
func simURLVar(host string) string {
	return "GITLABSIM_URL_" + strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return '_'
	}, host)
}

func simWorld(a *simArgs) error {
	return a.with(0, "world [-name HOST]", func(s *gitlabsim.Server) error {
		var data []byte
		var err error
		s.View(func(w *gitlabsim.World) { data, err = w.Dump() })
		if err == nil {
			fmt.Fprintf(a.ts.Stdout(), "%s\n", data)
		}
		return err
	})
}

func simRequests(a *simArgs) error {
	return a.with(0, "requests [-name HOST]", func(s *gitlabsim.Server) error {
		for _, r := range s.Requests() {
			fmt.Fprintln(a.ts.Stdout(), r.String())
		}
		return nil
	})
}

func simResetRequests(a *simArgs) error {
	return a.with(0, "reset-requests [-name HOST]", func(s *gitlabsim.Server) error {
		s.ResetRequests()
		return nil
	})
}

func simCount(a *simArgs) error {
	return a.with(2, "count [-name HOST] METHOD ROUTE", func(s *gitlabsim.Server) error {
		fmt.Fprintln(a.ts.Stdout(), s.Count(a.rest[0], a.rest[1]))
		return nil
	})
}

// simAPI calls the simulator as curl would and prints the status, then the
// body; a connection closed without an answer prints a line saying so.
func simAPI(a *simArgs) error {
	n := 2
	if len(a.rest) == 3 {
		n = 3 // the JSON body is optional
	}
	return a.with(n, "api [-name HOST] [-token T] METHOD PATH [JSON]",
		func(s *gitlabsim.Server) error {
			var body io.Reader
			if len(a.rest) == 3 {
				body = strings.NewReader(a.rest[2])
			}
			req, err := http.NewRequest(a.rest[0], s.URL()+"/api/v4"+a.rest[1], body)
			if err != nil {
				return err
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			if a.token != "" {
				req.Header.Set("PRIVATE-TOKEN", a.token)
			}
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
			if err != nil {
				fmt.Fprintln(a.ts.Stdout(), "error: connection closed without an answer")
				return nil
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			fmt.Fprintf(a.ts.Stdout(), "%d\n%s\n", resp.StatusCode, data)
			return err
		})
}

// number reads an id or a count from a script argument.
func number(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("gitlabsim: %q is not a number", s)
	}
	return n, nil
}

// simDelete makes the delete-KIND verb, which removes by hand the object
// that del deletes.
func simDelete(kind string, del func(w *gitlabsim.World, id int64) bool) func(a *simArgs) error {
	return func(a *simArgs) error {
		return a.with(1, "delete-"+kind+" [-name HOST] ID", func(s *gitlabsim.Server) error {
			n, err := number(a.rest[0])
			if err != nil {
				return err
			}
			ok := false
			s.Update(func(w *gitlabsim.World) { ok = del(w, n) })
			if !ok {
				return fmt.Errorf("gitlabsim: no %s %d", kind, n)
			}
			return nil
		})
	}
}

func simEditRunner(a *simArgs) error {
	if len(a.rest) < 2 {
		return fmt.Errorf("usage: gitlabsim edit-runner [-name HOST] ID FIELD=VALUE...")
	}
	fields := a.rest[1:]
	a.rest = a.rest[:1]
	return a.with(1, "", func(s *gitlabsim.Server) error {
		n, err := number(a.rest[0])
		if err != nil {
			return err
		}
		s.Update(func(w *gitlabsim.World) {
			r := w.Runner(n)
			if r == nil {
				err = fmt.Errorf("gitlabsim: no runner %d", n)
				return
			}
			for _, kv := range fields {
				k, v, _ := strings.Cut(kv, "=")
				if err = editRunner(r, k, v); err != nil {
					return
				}
			}
		})
		return err
	})
}

func editRunner(r *gitlabsim.Runner, field, v string) error {
	var err error
	switch field {
	case "description":
		r.Description = v
	case "tags":
		r.TagList = nil
		if v != "" {
			r.TagList = strings.Split(v, ",")
		}
	case "paused":
		r.Paused, err = strconv.ParseBool(v)
	case "locked":
		r.Locked, err = strconv.ParseBool(v)
	case "run_untagged":
		r.RunUntagged, err = strconv.ParseBool(v)
	case "access_level":
		r.AccessLevel = v
	case "maximum_timeout":
		r.MaximumTimeout, err = strconv.ParseInt(v, 10, 64)
	case "maintenance_note":
		r.MaintenanceNote = v
	default:
		return fmt.Errorf("gitlabsim: unknown runner field %q", field)
	}
	if err != nil {
		return fmt.Errorf("gitlabsim: runner field %s: %w", field, err)
	}
	return nil
}

func simHookToken(a *simArgs) error {
	token := ""
	if len(a.rest) == 2 {
		token, a.rest = a.rest[1], a.rest[:1]
	}
	return a.with(1, "hook-token [-name HOST] ID [TOKEN]", func(s *gitlabsim.Server) error {
		n, err := number(a.rest[0])
		if err != nil {
			return err
		}
		s.Update(func(w *gitlabsim.World) {
			if h := w.Hook(n); h != nil {
				h.SetToken(token)
			} else {
				err = fmt.Errorf("gitlabsim: no hook %d", n)
			}
		})
		return err
	})
}

// simFault serves fail, drop and throttle.
func simFault(a *simArgs) error {
	times := int64(0)
	if len(a.rest) == 3 {
		var err error
		if times, err = number(a.rest[2]); err != nil {
			return err
		}
		a.rest = a.rest[:2]
	}
	return a.with(2, "fail|drop|throttle [-name HOST] METHOD ROUTE [TIMES]",
		func(s *gitlabsim.Server) error {
			f := gitlabsim.Fault{Method: a.rest[0], Route: a.rest[1], Status: a.status,
				Every: a.every, RetryAfter: a.retryAfter, Times: int(times)}
			if a.status < 0 {
				f.Status, f.Drop = 0, true
			}
			s.AddFault(f)
			return nil
		})
}

func simClearFaults(a *simArgs) error {
	return a.with(0, "clear-faults [-name HOST]", func(s *gitlabsim.Server) error {
		s.ClearFaults()
		return nil
	})
}

func simLatency(a *simArgs) error {
	return a.with(1, "latency [-name HOST] DURATION", func(s *gitlabsim.Server) error {
		d, err := time.ParseDuration(a.rest[0])
		if err == nil {
			s.SetLatency(d)
		}
		return err
	})
}

func simRateLimit(a *simArgs) error {
	return a.with(2, "ratelimit [-name HOST] LIMIT WINDOW", func(s *gitlabsim.Server) error {
		limit, err := number(a.rest[0])
		if err != nil {
			return err
		}
		d, err := time.ParseDuration(a.rest[1])
		if err == nil {
			s.SetRateLimit(int(limit), d)
		}
		return err
	})
}
