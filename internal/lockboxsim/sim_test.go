package lockboxsim

import (
	"context"
	"strings"
	"testing"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const testFolder = "b1gtestfolder"

// clients are the generated Lockbox clients, speaking as one token.
type clients struct {
	ctx      context.Context
	secrets  lockbox.SecretServiceClient
	payloads lockbox.PayloadServiceClient
}

// start serves a simulator with one subject per role set, each with a
// token named after it, and returns it with a function that dials it as
// one of them ("" dials with no token).
func start(t *testing.T) (*Server, func(token string) clients) {
	t.Helper()
	s := New()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	for token, roles := range map[string][]string{
		"editor":    {RoleEditor},
		"viewer":    {RoleViewer},
		"reader":    {RolePayloadViewer},
		"admin":     {RoleAdmin},
		"readwrite": {RoleEditor, RolePayloadViewer},
	} {
		s.AddSubject("aje"+token, roles...)
		s.AddToken(token, "aje"+token)
	}
	conn, err := grpc.NewClient(s.GRPCAddr(),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return s, func(token string) clients {
		ctx := t.Context()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		return clients{ctx: ctx, secrets: lockbox.NewSecretServiceClient(conn),
			payloads: lockbox.NewPayloadServiceClient(conn)}
	}
}

func text(key, v string) *lockbox.PayloadEntryChange {
	return &lockbox.PayloadEntryChange{Key: key,
		Value: &lockbox.PayloadEntryChange_TextValue{TextValue: v}}
}

func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("code %v (%v), want %v", got, err, want)
	}
}

// create makes a secret and returns it, from the finished operation.
func create(t *testing.T, c clients, r *lockbox.CreateSecretRequest) *lockbox.Secret {
	t.Helper()
	op, err := c.secrets.Create(c.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if !op.Done {
		t.Fatal("operation not done")
	}
	sec := &lockbox.Secret{}
	if err := op.GetResponse().UnmarshalTo(sec); err != nil {
		t.Fatal(err)
	}
	return sec
}

// payload reads the current version's entries as key=value, sorted.
func payload(t *testing.T, c clients, id, version string) string {
	t.Helper()
	p, err := c.payloads.Get(c.ctx, &lockbox.GetPayloadRequest{SecretId: id, VersionId: version})
	if err != nil {
		t.Fatal(err)
	}
	var kv []string
	for _, e := range p.Entries {
		kv = append(kv, e.Key+"="+e.GetTextValue())
	}
	return strings.Join(kv, " ")
}
