package lockboxsim

import (
	"fmt"
	"strings"
	"testing"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"google.golang.org/grpc/codes"
)

// createReq shortens the table below.
type createReq = lockbox.CreateSecretRequest

// TestCreateRules holds Create to the validation options of Lockbox's
// protos (secret_service.proto) and the per-version limits.
func TestCreateRules(t *testing.T) {
	manyLabels := map[string]string{}
	for i := range 65 {
		manyLabels[fmt.Sprintf("l%d", i)] = "v"
	}
	var manyEntries []*lockbox.PayloadEntryChange
	for i := range maxEntries + 1 {
		manyEntries = append(manyEntries, text(fmt.Sprintf("k%d", i), "v"))
	}
	big := strings.Repeat("x", 40000)
	tests := []struct {
		name string
		want codes.Code
		edit func(r *createReq)
	}{
		{"valid", codes.OK, func(r *createReq) {}},
		{"name of 100", codes.OK, func(r *createReq) { r.Name = strings.Repeat("n", 100) }},
		{"name of 101", codes.InvalidArgument, func(r *createReq) {
			r.Name = strings.Repeat("n", 101)
		}},
		{"description of 1025", codes.InvalidArgument, func(r *createReq) {
			r.Description = strings.Repeat("d", 1025)
		}},
		{"no folder", codes.InvalidArgument, func(r *createReq) { r.FolderId = "" }},
		{"folder of 51", codes.InvalidArgument, func(r *createReq) {
			r.FolderId = strings.Repeat("f", 51)
		}},
		{"label key upper case", codes.InvalidArgument, func(r *createReq) {
			r.Labels = map[string]string{"Egg": "a"}
		}},
		{"label key starting with a digit", codes.InvalidArgument, func(r *createReq) {
			r.Labels = map[string]string{"1egg": "a"}
		}},
		{"label key of 64", codes.InvalidArgument, func(r *createReq) {
			r.Labels = map[string]string{strings.Repeat("k", 64): "a"}
		}},
		{"label value with a dot", codes.InvalidArgument, func(r *createReq) {
			r.Labels = map[string]string{"server": "gitlab.com"}
		}},
		{"label value of 63", codes.OK, func(r *createReq) {
			r.Labels = map[string]string{"egg": strings.Repeat("v", 63)}
		}},
		{"empty label value", codes.OK, func(r *createReq) {
			r.Labels = map[string]string{"egg": ""}
		}},
		{"65 labels", codes.InvalidArgument, func(r *createReq) { r.Labels = manyLabels }},
		{"entry key with a space", codes.InvalidArgument, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{text("api token", "v")}
		}},
		{"entry key of every allowed kind", codes.OK, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{text(`a-Z_0.9/x\@y`, "v")}
		}},
		{"entry key of 257", codes.InvalidArgument, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{
				text(strings.Repeat("k", 257), "v")}
		}},
		{"entry key twice", codes.InvalidArgument, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{text("k", "1"), text("k", "2")}
		}},
		{"value of 65536", codes.OK, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{
				text("k", strings.Repeat("v", 65536))}
		}},
		{"value of 65537", codes.InvalidArgument, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{
				text("k", strings.Repeat("v", 65537))}
		}},
		{"version over 64 KB", codes.FailedPrecondition, func(r *createReq) {
			r.VersionPayloadEntries = []*lockbox.PayloadEntryChange{text("a", big), text("b", big)}
		}},
		{"too many entries", codes.FailedPrecondition, func(r *createReq) {
			r.VersionPayloadEntries = manyEntries
		}},
	}
	_, dial := start(t)
	c := dial("editor")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &lockbox.CreateSecretRequest{FolderId: testFolder, Name: fmt.Sprintf("s%d", i),
				VersionPayloadEntries: []*lockbox.PayloadEntryChange{text("api-token", "v")}}
			tt.edit(r)
			_, err := c.secrets.Create(c.ctx, r)
			wantCode(t, err, tt.want)
		})
	}
}

func TestNameUniqueInFolder(t *testing.T) {
	_, dial := start(t)
	c := dial("editor")
	r := &lockbox.CreateSecretRequest{FolderId: testFolder, Name: "same"}
	if _, err := c.secrets.Create(c.ctx, r); err != nil {
		t.Fatal(err)
	}
	_, err := c.secrets.Create(c.ctx, r)
	wantCode(t, err, codes.AlreadyExists)
	r.FolderId = "b1gotherfolder"
	if _, err := c.secrets.Create(c.ctx, r); err != nil {
		t.Errorf("the same name in another folder: %v", err)
	}
}

// TestAddVersionMerges: a new version starts from the current one (or the
// base named) and changes only the entries the request names.
func TestAddVersionMerges(t *testing.T) {
	_, dial := start(t)
	c := dial("readwrite")
	sec := create(t, c, &lockbox.CreateSecretRequest{FolderId: testFolder,
		VersionPayloadEntries: []*lockbox.PayloadEntryChange{text("a", "1"), text("b", "2")}})
	first := sec.CurrentVersion.Id

	_, err := c.secrets.AddVersion(c.ctx, &lockbox.AddVersionRequest{SecretId: sec.Id,
		PayloadEntries: []*lockbox.PayloadEntryChange{text("b", "3"), text("c", "4")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := payload(t, c, sec.Id, ""); got != "a=1 b=3 c=4" {
		t.Errorf("current version %q, want a=1 b=3 c=4", got)
	}
	if got := payload(t, c, sec.Id, first); got != "a=1 b=2" {
		t.Errorf("first version %q changed", got)
	}

	_, err = c.secrets.AddVersion(c.ctx, &lockbox.AddVersionRequest{SecretId: sec.Id,
		BaseVersionId: first, PayloadEntries: []*lockbox.PayloadEntryChange{text("d", "5")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := payload(t, c, sec.Id, ""); got != "a=1 b=2 d=5" {
		t.Errorf("version from the first %q, want a=1 b=2 d=5", got)
	}

	_, err = c.secrets.AddVersion(c.ctx, &lockbox.AddVersionRequest{SecretId: sec.Id,
		PayloadEntries: []*lockbox.PayloadEntryChange{text("bad key", "x")}})
	wantCode(t, err, codes.InvalidArgument)
	big := strings.Repeat("x", 40000)
	_, err = c.secrets.AddVersion(c.ctx, &lockbox.AddVersionRequest{SecretId: sec.Id,
		PayloadEntries: []*lockbox.PayloadEntryChange{text("e", big), text("f", big)}})
	wantCode(t, err, codes.FailedPrecondition)
}

// TestInactiveUnreadable: a deactivated secret keeps its metadata readable
// and its payload not, until it is activated again.
func TestInactiveUnreadable(t *testing.T) {
	s, dial := start(t)
	c := dial("admin")
	sec := create(t, c, &lockbox.CreateSecretRequest{FolderId: testFolder,
		VersionPayloadEntries: []*lockbox.PayloadEntryChange{text("a", "1")}})
	if _, err := c.secrets.Deactivate(c.ctx,
		&lockbox.DeactivateSecretRequest{SecretId: sec.Id}); err != nil {
		t.Fatal(err)
	}
	got, err := c.secrets.Get(c.ctx, &lockbox.GetSecretRequest{SecretId: sec.Id})
	if err != nil || got.Status != lockbox.Secret_INACTIVE {
		t.Fatalf("metadata of an inactive secret: %v, %v", got, err)
	}
	_, err = c.payloads.Get(c.ctx, &lockbox.GetPayloadRequest{SecretId: sec.Id})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = c.secrets.AddVersion(c.ctx, &lockbox.AddVersionRequest{SecretId: sec.Id,
		PayloadEntries: []*lockbox.PayloadEntryChange{text("b", "2")}})
	wantCode(t, err, codes.FailedPrecondition)

	if _, err := c.secrets.Activate(c.ctx,
		&lockbox.ActivateSecretRequest{SecretId: sec.Id}); err != nil {
		t.Fatal(err)
	}
	if got := payload(t, c, sec.Id, ""); got != "a=1" {
		t.Errorf("after activation %q", got)
	}
	s.DestroyCurrent(sec.Id)
	_, err = c.payloads.Get(c.ctx, &lockbox.GetPayloadRequest{SecretId: sec.Id})
	wantCode(t, err, codes.FailedPrecondition)
}

// TestRoles: what each token may do follows its subject's roles, as
// Lockbox's access management page describes them: editor includes
// viewer but not payloadViewer; admin does everything.
func TestRoles(t *testing.T) {
	s, dial := start(t)
	id := s.Seed(testFolder, "seeded", "", nil, map[string]string{"a": "1"})
	calls := map[string]func(c clients) error{
		"list": func(c clients) error {
			_, err := c.secrets.List(c.ctx, &lockbox.ListSecretsRequest{FolderId: testFolder})
			return err
		},
		"read": func(c clients) error {
			_, err := c.payloads.Get(c.ctx, &lockbox.GetPayloadRequest{SecretId: id})
			return err
		},
		"write": func(c clients) error {
			_, err := c.secrets.AddVersion(c.ctx, &lockbox.AddVersionRequest{SecretId: id,
				PayloadEntries: []*lockbox.PayloadEntryChange{text("b", "2")}})
			return err
		},
		"create": func(c clients) error {
			_, err := c.secrets.Create(c.ctx, &lockbox.CreateSecretRequest{FolderId: testFolder})
			return err
		},
	}
	ok, denied, anon := codes.OK, codes.PermissionDenied, codes.Unauthenticated
	tests := []struct {
		token                     string
		list, read, write, create codes.Code
	}{
		{"viewer", ok, denied, denied, denied},
		{"reader", denied, ok, denied, denied},
		{"editor", ok, denied, ok, ok},
		{"admin", ok, ok, ok, ok},
		{"", anon, anon, anon, anon},
		{"t1.unknown", anon, anon, anon, anon},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			c := dial(tt.token)
			for _, call := range []struct {
				name string
				want codes.Code
			}{{"list", tt.list}, {"read", tt.read}, {"write", tt.write}, {"create", tt.create}} {
				t.Run(call.name, func(t *testing.T) { wantCode(t, calls[call.name](c), call.want) })
			}
		})
	}
}
