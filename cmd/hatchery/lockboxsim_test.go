package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// The lockboxsim script command runs one simulated Yandex Cloud (Lockbox,
// IAM, the token exchange and the metadata service) inside the test
// process:
//
//	lockboxsim start                     start it; see below
//	lockboxsim account ID [ROLE...]      a service account with roles on every folder
//	lockboxsim token TOKEN ID            an IAM token of the account
//	lockboxsim federation IDTOKEN ID     let the exchange trade the CI id token for ID
//	lockboxsim metadata ID               the simulated VM runs as ID
//	lockboxsim secrets                   print every secret, entry keys but no values
//	lockboxsim requests                  print call counts: N METHOD CODE ACCOUNT
//	lockboxsim reset-requests            empty the call and exchange logs
//	lockboxsim exchanges                 print each token exchange's form, less the token
//	lockboxsim fail METHOD CODE [TIMES]  fail calls, e.g. PayloadService.Get Unavailable
//	lockboxsim deactivate NAME           deactivate the secret named NAME
//
// start sets HATCHERY_YC_ENDPOINT and HATCHERY_YC_TOKEN_URL to the
// simulator, and LOCKBOXSIM_METADATA to the host:port that serves the
// metadata token, for HATCHERY_YC_METADATA. When the script ends, it fails
// if anything hatchery printed, or any file that changed, holds a value or
// token that only the simulator knows.
func init() {
	scriptCmds["lockboxsim"] = lockboxsimCmd
}

var lockboxSims = struct {
	sync.Mutex
	m map[*testscript.TestScript]*lockboxsim.Server
}{m: map[*testscript.TestScript]*lockboxsim.Server{}}

// lockboxVerb runs one verb other than start on the script's simulator.
type lockboxVerb func(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error

var lockboxVerbs = map[string]lockboxVerb{
	"account": lbAccount, "token": lbToken, "federation": lbFederation, "metadata": lbMetadata,
	"secrets": lbSecrets, "requests": lbRequests, "reset-requests": lbResetRequests,
	"exchanges": lbExchanges, "fail": lbFail, "deactivate": lbDeactivate,
}

func lockboxsimCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: lockboxsim start|account|token|federation|metadata|secrets|" +
			"requests|reset-requests|exchanges|fail|deactivate ...")
	}
	ts.Stdout()
	var err error
	if args[0] == "start" {
		err = lbStart(ts)
	} else if verb := lockboxVerbs[args[0]]; verb == nil {
		err = fmt.Errorf("lockboxsim: unknown verb %q", args[0])
	} else {
		lockboxSims.Lock()
		s := lockboxSims.m[ts]
		lockboxSims.Unlock()
		if s == nil {
			err = fmt.Errorf("lockboxsim: not started")
		} else {
			err = verb(ts, s, args[1:])
		}
	}
	finish(ts, neg, "lockboxsim "+args[0], err)
}

func lbStart(ts *testscript.TestScript) error {
	lockboxSims.Lock()
	defer lockboxSims.Unlock()
	if lockboxSims.m[ts] != nil {
		return fmt.Errorf("lockboxsim: already started")
	}
	s := lockboxsim.New()
	if err := s.Start(); err != nil {
		return err
	}
	lockboxSims.m[ts] = s
	ts.Setenv(secrets.EnvEndpoint, s.GRPCAddr())
	ts.Setenv(secrets.EnvTokenURL, s.TokenURL())
	ts.Setenv("LOCKBOXSIM_METADATA", strings.TrimPrefix(s.HTTPURL(), "http://"))
	work := ts.Getenv("WORK")
	ts.Defer(func() {
		// The leak check, deferred by Setup, runs after this.
		simSecrets.Lock()
		for _, v := range s.Values() {
			if len(v) >= secrets.MinMaskLen { // runner ids are no secret
				simSecrets.m[work] = append(simSecrets.m[work], v)
			}
		}
		simSecrets.Unlock()
		s.Close()
		lockboxSims.Lock()
		delete(lockboxSims.m, ts)
		lockboxSims.Unlock()
	})
	return nil
}

func want(args []string, n int, usage string) error {
	if len(args) < n {
		return fmt.Errorf("usage: lockboxsim %s", usage)
	}
	return nil
}

func lbAccount(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	if err := want(args, 1, "account ID [ROLE...]"); err != nil {
		return err
	}
	s.AddSubject(args[0], args[1:]...)
	return nil
}

func lbToken(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	if err := want(args, 2, "token TOKEN ID"); err != nil {
		return err
	}
	s.AddToken(args[0], args[1])
	return nil
}

func lbFederation(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	if err := want(args, 2, "federation IDTOKEN ID"); err != nil {
		return err
	}
	s.AddIDToken(args[0], args[1])
	return nil
}

func lbMetadata(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	if err := want(args, 1, "metadata ID"); err != nil {
		return err
	}
	s.SetMetadataAccount(args[0])
	return nil
}

// lbSecrets prints each secret's name, state, description, labels and
// entry keys: everything but its values and ids, which depend on timing.
func lbSecrets(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	for _, sec := range s.Secrets() {
		state := "active"
		if !sec.Active {
			state = "inactive"
		}
		fmt.Fprintf(ts.Stdout(), "%s %s folder=%s versions=%d\n", sec.Name, state, sec.Folder,
			sec.Versions)
		fmt.Fprintf(ts.Stdout(), "  description: %s\n", sec.Description)
		var labels []string
		for _, k := range slices.Sorted(maps.Keys(sec.Labels)) {
			labels = append(labels, k+"="+sec.Labels[k])
		}
		fmt.Fprintf(ts.Stdout(), "  labels: %s\n", strings.Join(labels, " "))
		fmt.Fprintf(ts.Stdout(), "  entries: %s\n",
			strings.Join(slices.Sorted(maps.Keys(sec.Entries)), " "))
	}
	return nil
}

// lbRequests prints how many calls ended each way, sorted, so that the
// order of concurrent calls does not matter.
func lbRequests(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	counts := map[string]int{}
	for _, r := range s.Requests() {
		counts[r.String()]++
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(ts.Stdout(), "%d %s\n", counts[k], k)
	}
	return nil
}

func lbResetRequests(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	s.ResetRequests()
	return nil
}

func lbExchanges(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	for _, e := range s.Exchanges() {
		fmt.Fprintln(ts.Stdout(), e.String())
	}
	return nil
}

func lbFail(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	if err := want(args, 2, "fail METHOD CODE [TIMES]"); err != nil {
		return err
	}
	times := 0
	if len(args) > 2 {
		var err error
		if times, err = strconv.Atoi(args[2]); err != nil {
			return fmt.Errorf("lockboxsim fail: %q is not a number", args[2])
		}
	}
	return s.AddFault(lockboxsim.Fault{Method: args[0], Code: args[1], Times: times})
}

func lbDeactivate(ts *testscript.TestScript, s *lockboxsim.Server, args []string) error {
	if err := want(args, 1, "deactivate NAME"); err != nil {
		return err
	}
	for _, sec := range s.Secrets() {
		if sec.Name == args[0] {
			s.SetActive(sec.ID, false)
			return nil
		}
	}
	return fmt.Errorf("lockboxsim: no secret named %q", args[0])
}

// TestLockboxLeakCheckFails proves that the simulator's own leak check can
// fail: a script that copies a token only the simulator holds into a new
// file must not pass.
func TestLockboxLeakCheckFails(t *testing.T) {
	r := &recordingT{}
	testscript.RunT(r, scriptParams("../../testdata/leak-lockbox"))
	if !r.failed() || !strings.Contains(r.messages(), "leaked into") {
		t.Fatalf("a script that leaked a simulator token passed:\n%s", r.messages())
	}
	if strings.Contains(r.messages(), "c2lnbmF0dXJlLWxlYWs") {
		t.Fatal("the leak report itself prints the token")
	}
}
