package secrets

import (
	"context"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
)

const testFolder = "b1gtestfolder"

// Tokens of the simulated accounts; long enough to look like IAM tokens.
const (
	editorToken = "t1.editor-0123456789abcdefghijklmnopqrstuvwxyz"
	readerToken = "t1.reader-0123456789abcdefghijklmnopqrstuvwxyz"
	viewerToken = "t1.viewer-0123456789abcdefghijklmnopqrstuvwxyz"
	nobodyToken = "t1.nobody-0123456789abcdefghijklmnopqrstuvwxyz"
)

// startSim starts a simulator with an editor (who may also read payloads),
// a reader (viewer and payloadViewer), a viewer and an account without roles.
func startSim(t testing.TB) *lockboxsim.Server {
	t.Helper()
	sim := lockboxsim.New()
	sim.AddSubject("ajeeditor", lockboxsim.RoleEditor, lockboxsim.RolePayloadViewer)
	sim.AddSubject("ajereader", lockboxsim.RoleViewer, lockboxsim.RolePayloadViewer)
	sim.AddSubject("ajeviewer", lockboxsim.RoleViewer)
	sim.AddSubject("ajenobody")
	sim.AddToken(editorToken, "ajeeditor")
	sim.AddToken(readerToken, "ajereader")
	sim.AddToken(viewerToken, "ajeviewer")
	sim.AddToken(nobodyToken, "ajenobody")
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// simEnv is the environment that points hatchery at the simulator, with
// extra variables on top.
func simEnv(sim *lockboxsim.Server, kv ...string) func(string) string {
	env := map[string]string{EnvEndpoint: sim.GRPCAddr(), EnvTokenURL: sim.TokenURL()}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return func(k string) string { return env[k] }
}

// openSim opens the test folder in the simulator with an IAM token.
func openSim(t testing.TB, sim *lockboxsim.Server, token string, readOnly bool) *LockboxStore {
	t.Helper()
	s, err := openSimErr(t.Context(), sim, token, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openSimErr(ctx context.Context, sim *lockboxsim.Server, token string,
	readOnly bool) (*LockboxStore, error) {
	st, err := Open(ctx, Config{FolderID: testFolder, ReadOnly: readOnly},
		simEnv(sim, EnvIAMToken, token))
	if err != nil {
		return nil, err
	}
	return st.(*LockboxStore), nil
}

// seedUnit stores a record the way hatchery names it, without a call.
func seedUnit(sim *lockboxsim.Server, u Unit, entries map[string]string) string {
	return sim.Seed(testFolder, secretName(u), secretDescription(u), secretLabels(u), entries)
}

func token(n int) string { return "glpat-test-token-" + string(rune('a'+n%26)) + "0123456789" }
