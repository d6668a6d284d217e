package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// The demo's simulated Yandex Cloud: one folder, one service account that
// may read and write its secrets.
const (
	demoFolder  = "b1gdemofolder"
	demoAccount = "ajedemoaccount"
)

// startDemoLockbox starts a Lockbox simulator on loopback and returns it
// with a fresh IAM token of its one account.
func startDemoLockbox() (*lockboxsim.Server, string, error) {
	s := lockboxsim.New()
	if err := s.Start(); err != nil {
		return nil, "", err
	}
	b := make([]byte, 24)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	token := "t1.demo-" + base64.RawURLEncoding.EncodeToString(b)
	s.AddSubject(demoAccount, lockboxsim.RoleEditor, lockboxsim.RolePayloadViewer)
	s.AddToken(token, demoAccount)
	return s, token, nil
}

// openStore opens the demo's secret store: the file, or the simulated
// Lockbox through the real backend, which sees the simulator's endpoint
// and token and nothing of the caller's environment.
func (d *demo) openStore(ctx context.Context, env *Env) (secrets.Store, error) {
	if d.lockbox == nil {
		return secrets.OpenFile(d.storePath, false)
	}
	vars := map[string]string{
		secrets.EnvEndpoint: d.lockbox.GRPCAddr(),
		secrets.EnvTokenURL: d.lockbox.TokenURL(),
		secrets.EnvIAMToken: d.iamToken,
	}
	c := secrets.Config{Backend: secrets.BackendLockbox, FolderID: demoFolder,
		Logger: env.Logger}
	return secrets.Open(ctx, c, func(k string) string { return vars[k] })
}
