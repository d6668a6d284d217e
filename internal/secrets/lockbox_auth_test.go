package secrets

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/grpclog"

	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
)

// fakeExchange serves the token exchange on loopback: the first fail
// requests get status code (or wait, when slow), the rest go to the
// simulator's own exchange.
func fakeExchange(t *testing.T, sim *lockboxsim.Server, fail int, code int,
	slow time.Duration) (string, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	target, _ := url.Parse(sim.HTTPURL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(n.Add(1)) > fail && fail >= 0 {
			proxy.ServeHTTP(w, r)
			return
		}
		if slow > 0 {
			select {
			case <-time.After(slow):
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/oauth/token", &n
}

// closedPort returns a loopback URL where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/oauth/token"
}

// unknownKey is an authorized key that IAM never saw.
func unknownKey(t *testing.T) string {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pub, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	data, _ := json.Marshal(map[string]string{"id": "ajekeygone", "service_account_id": "ajekeyed",
		"key_algorithm": "RSA_2048",
		"public_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		"private_key":   string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	return string(data)
}

// TestCredentialFailuresSayWhatHappened: each way of not getting an IAM
// token has its own message, and only a refused IAM token speaks of its
// 12 hours.
func TestCredentialFailuresSayWhatHappened(t *testing.T) {
	old := exchangeTimeout
	exchangeTimeout = 300 * time.Millisecond
	t.Cleanup(func() { exchangeTimeout = old })
	sim := startSim(t)
	sim.AddSubject("ajefederated", lockboxsim.RoleViewer)
	sim.AddIDToken(testIDToken, "ajefederated")
	meta := strings.TrimPrefix(sim.HTTPURL(), "http://")
	down, downCalls := fakeExchange(t, sim, -1, http.StatusServiceUnavailable, 0)
	slow, _ := fakeExchange(t, sim, -1, http.StatusOK, time.Second)
	fed := func(tokenURL, account string) []string {
		return []string{DefaultIDTokenVar, testIDToken, EnvServiceAccount, account,
			EnvTokenURL, tokenURL}
	}

	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"exchange unavailable", fed(down, "ajefederated"), []string{
			"the token exchange at " + down + " answered 503 Service Unavailable, ",
			" times: Yandex Cloud's sign-in is unavailable for now; run the job again later"}},
		{"exchange too slow", fed(slow, "ajefederated"), []string{
			"the token exchange at " + slow + " did not answer in time",
			"(a proxy or firewall)"}},
		{"exchange port closed", fed(closedPort(t), "ajefederated"), []string{
			"connection refused; check " + EnvTokenURL}},
		{"id token not bound to the account", fed(sim.TokenURL(), "ajeother"), []string{
			"refused the id token in HATCHERY_ID_TOKEN for service account ajeother " +
				"(invalid_grant: no federated credential binds",
			"federated credential"}},
		{"key IAM does not know", []string{EnvKey, unknownKey(t)}, []string{
			"IAM refused the authorized key in HATCHERY_YC_KEY, key id ajekeygone of " +
				"service account ajekeyed (Invalid JWT: unknown key",
			"yc iam key create --service-account-id ajekeyed"}},
		{"VM without a service account", []string{EnvMetadata, meta}, []string{
			"the metadata service at " + meta + " has no IAM token (404 Not Found): " +
				"the VM runs without a service account"}},
		{"IAM token refused", []string{EnvIAMToken, "t1.expired-0123456789abcdefghijklmnop"},
			[]string{"Yandex Cloud refused the IAM token in HATCHERY_YC_IAM_TOKEN (The token " +
				"is invalid); an IAM token lives 12 hours", "(request id "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			_, err := Open(ctx, Config{FolderID: testFolder, ReadOnly: true},
				simEnv(sim, tc.env...))
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error\n%s\nlacks %q", msg, w)
				}
			}
			if tc.name != "IAM token refused" && strings.Contains(msg, "12 hours") {
				t.Errorf("error blames an old IAM token: %s", msg)
			}
			if strings.Contains(msg, "rpc error") || strings.Contains(msg, testIDToken) {
				t.Errorf("error shows a raw status or the id token: %s", msg)
			}
		})
	}
	if n := downCalls.Load(); n < 2 {
		t.Errorf("the unavailable exchange was asked %d times, want it asked again", n)
	}
}

// TestExchangeRetriedWhileUnavailable: an exchange that answers 503 twice
// and then works gives a token within the deadline.
func TestExchangeRetriedWhileUnavailable(t *testing.T) {
	sim := startSim(t)
	sim.AddSubject("ajefederated", lockboxsim.RoleViewer)
	sim.AddIDToken(testIDToken, "ajefederated")
	flaky, calls := fakeExchange(t, sim, 2, http.StatusServiceUnavailable, 0)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	st, err := Open(ctx, Config{FolderID: testFolder, ReadOnly: true}, simEnv(sim,
		DefaultIDTokenVar, testIDToken, EnvServiceAccount, "ajefederated", EnvTokenURL, flaky))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if n := calls.Load(); n != 3 {
		t.Errorf("%d exchange requests, want 3", n)
	}
}

// TestGRPCLogsNothing runs this test binary again and has gRPC's logger
// report an error there: nothing may reach stderr.
func TestGRPCLogsNothing(t *testing.T) {
	if os.Getenv("HATCHERY_GRPCLOG_PROBE") == "1" {
		grpclog.Error("grpclog probe: this must not be printed")
		grpclog.Warning("grpclog probe: this must not be printed")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGRPCLogsNothing$")
	cmd.Env = append(os.Environ(), "HATCHERY_GRPCLOG_PROBE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("probe: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "grpclog probe") {
		t.Errorf("gRPC logged to stderr:\n%s", stderr.String())
	}
}

// TestDebugLogEveryCall: with a key, the debug log holds IAM's
// IamTokenService.Create as well as Lockbox's calls, and every record has
// a request id, failed or not.
func TestDebugLogEveryCall(t *testing.T) {
	sim := startSim(t)
	sim.AddSubject("ajekeyed", lockboxsim.RoleViewer)
	key := authorizedKey(t, sim, "ajekeyed")
	var buf strings.Builder
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := Open(t.Context(), Config{FolderID: testFolder, ReadOnly: true, Logger: log},
		simEnv(sim, EnvKey, key))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	var methods []string
	for line := range strings.Lines(buf.String()) {
		var rec struct {
			Method    string `json:"method"`
			Code      string `json:"code"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		methods = append(methods, rec.Method+" "+rec.Code)
		if len(rec.RequestID) != 36 {
			t.Errorf("%s logged request id %q, want a UUID", rec.Method, rec.RequestID)
		}
	}
	want := []string{"/yandex.cloud.iam.v1.IamTokenService/Create OK",
		"/yandex.cloud.lockbox.v1.SecretService/List OK"}
	if !slices.Equal(methods, want) {
		t.Errorf("logged %q, want %q", methods, want)
	}
}
