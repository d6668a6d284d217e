package lockboxsim

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	iam "github.com/yandex-cloud/go-genproto/yandex/cloud/iam/v1"
	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/operation"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Roles that the simulator knows.
const (
	RoleViewer        = "lockbox.viewer"
	RolePayloadViewer = "lockbox.payloadViewer"
	RoleEditor        = "lockbox.editor"
	RoleAdmin         = "lockbox.admin"
	RoleKMS           = "kms.keys.encrypterDecrypter"
)

// epoch is the simulated clock's start: ids and times in dumps are stable.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Server is one simulated Yandex Cloud: its folders of secrets, its
// subjects and their tokens, and the log of what was asked of it.
type Server struct {
	mu       sync.Mutex
	secrets  map[string]*secret // by id
	ops      map[string]*operation.Operation
	subjects map[string]*subject // by id
	tokens   map[string]*subject // IAM token -> subject
	idTokens map[string]string   // federation: OIDC token -> service account id
	keys     map[string]*saKey   // authorized keys by key id
	seq      int                 // ids and clock ticks
	log      []Request
	exchange []Exchange
	faults   []*Fault
	metaSA   string // the service account of the simulated VM

	grpcSrv  *grpc.Server
	httpSrv  *http.Server
	grpcAddr string
	httpURL  string
	// pingEvery is the shortest time between keepalive pings the server
	// takes without complaint.
	pingEvery time.Duration
}

// minPingTime lets the SDK's keepalive pings through: go-sdk pings every
// 30 s, with or without a call in flight, and Yandex Cloud takes that.
// gRPC's own default (5 minutes, and only during a call) would answer with
// GOAWAY ENHANCE_YOUR_CALM "too_many_pings" after a minute.
const minPingTime = 10 * time.Second

// subject is a service account or a user: who a token speaks for.
type subject struct {
	id    string
	roles map[string]bool
}

// Request is one logged gRPC call.
type Request struct {
	Method  string // short form: SecretService.List
	Code    string // gRPC code name: OK, PermissionDenied, ...
	Subject string // the subject the token named, "" when none
}

// String returns "METHOD CODE SUBJECT".
func (r Request) String() string {
	return fmt.Sprintf("%s %s %s", r.Method, r.Code, r.Subject)
}

// New returns a simulator with no secrets and no subjects.
func New() *Server {
	return &Server{
		secrets:  map[string]*secret{},
		ops:      map[string]*operation.Operation{},
		subjects: map[string]*subject{},
		tokens:   map[string]*subject{},
		idTokens: map[string]string{},
		keys:     map[string]*saKey{},

		pingEvery: minPingTime,
	}
}

// Start serves gRPC and HTTP on two ports of 127.0.0.1 until Close.
func (s *Server) Start() error {
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("lockboxsim: listen: %w", err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		gl.Close()
		return fmt.Errorf("lockboxsim: listen: %w", err)
	}
	s.grpcSrv = grpc.NewServer(grpc.UnaryInterceptor(s.intercept),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime: s.pingEvery, PermitWithoutStream: true}))
	lockbox.RegisterSecretServiceServer(s.grpcSrv, &secretService{s: s})
	lockbox.RegisterPayloadServiceServer(s.grpcSrv, &payloadService{s: s})
	operation.RegisterOperationServiceServer(s.grpcSrv, &operationService{s: s})
	iam.RegisterIamTokenServiceServer(s.grpcSrv, &iamTokenService{s: s})
	s.httpSrv = &http.Server{Handler: s.httpHandler(), ReadHeaderTimeout: 10 * time.Second}
	s.grpcAddr = gl.Addr().String()
	s.httpURL = "http://" + hl.Addr().String()
	go s.grpcSrv.Serve(gl)
	go s.httpSrv.Serve(hl)
	return nil
}

// Close stops both servers.
func (s *Server) Close() {
	if s.grpcSrv != nil {
		s.grpcSrv.Stop()
	}
	if s.httpSrv != nil {
		s.httpSrv.Close()
	}
}

// GRPCAddr is host:port of every gRPC service.
func (s *Server) GRPCAddr() string { return s.grpcAddr }

// HTTPURL is the root URL of the HTTP endpoints, without a final slash.
func (s *Server) HTTPURL() string { return s.httpURL }

// TokenURL is the URL of the token exchange endpoint.
func (s *Server) TokenURL() string { return s.httpURL + "/oauth/token" }

// AddSubject creates a service account or user with roles on every folder,
// or replaces the roles of an existing one.
func (s *Server) AddSubject(id string, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subject(id).roles = roleSet(roles)
}

func (s *Server) subject(id string) *subject {
	sub := s.subjects[id]
	if sub == nil {
		sub = &subject{id: id}
		s.subjects[id] = sub
	}
	return sub
}

func roleSet(roles []string) map[string]bool {
	m := map[string]bool{}
	for _, r := range roles {
		m[r] = true
	}
	return m
}

// AddToken makes token an IAM token of the subject, created when needed.
func (s *Server) AddToken(token, subjectID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = s.subject(subjectID)
}

// AddIDToken lets the federation exchange the OIDC token for an IAM token of
// the service account.
func (s *Server) AddIDToken(idToken, serviceAccountID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subject(serviceAccountID)
	s.idTokens[idToken] = serviceAccountID
}

// SetMetadataAccount makes the metadata service hand out tokens of the
// service account; with none set it answers 404, as a VM without one does.
func (s *Server) SetMetadataAccount(serviceAccountID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subject(serviceAccountID)
	s.metaSA = serviceAccountID
}

// issue returns a new IAM token for the subject. The caller holds s.mu.
func (s *Server) issue(subjectID string) string {
	s.seq++
	tok := fmt.Sprintf("t1.lockboxsim-%s-%06d-%s", subjectID, s.seq,
		"9f3kQ2mZx7LwVb4NcRt8YpHs6DjUe1AgKo5Fi0Ml")
	s.tokens[tok] = s.subject(subjectID)
	return tok
}

// Requests returns the log of gRPC calls in the order they were answered.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// ResetRequests empties the request and exchange logs.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.exchange = nil, nil
}

// Count returns how many calls of the method (short form, e.g.
// "PayloadService.Get") were made, whatever their result.
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if r.Method == method {
			n++
		}
	}
	return n
}

// Fault makes calls of Method fail with Code, Times times (0: always).
type Fault struct {
	Method string // short form, e.g. "PayloadService.Get"
	Code   string // gRPC code name, e.g. "Unavailable"
	Times  int
	// Lost carries the call out before failing it, as when the answer is
	// lost on the way back.
	Lost bool
}

// AddFault arranges for calls to fail.
func (s *Server) AddFault(f Fault) error {
	if _, ok := codeByName[f.Code]; !ok {
		return fmt.Errorf("lockboxsim: unknown gRPC code %q", f.Code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// fault returns the fault for the method, counting it down. The caller holds
// s.mu.
func (s *Server) fault(method string) *Fault {
	for i, f := range s.faults {
		if f.Method != method {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return f
	}
	return nil
}

// tick advances the simulated clock by one second and returns it.
func (s *Server) tick() time.Time {
	s.seq++
	return epoch.Add(time.Duration(s.seq) * time.Second)
}

// newID returns a 20-character id in Yandex Cloud's shape.
func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%017d", prefix, s.seq)
}
