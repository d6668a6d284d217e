package lockboxsim

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/operation"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// secret is one Lockbox secret with every version it ever had.
type secret struct {
	id, folder, name, desc string
	labels                 map[string]string
	kmsKey                 string
	status                 lockbox.Secret_Status
	created                time.Time
	versions               []*version
	current                *version // nil until the first version
	protected              bool
}

type version struct {
	id      string
	created time.Time
	status  lockbox.Version_Status
	entries []entry // sorted by key
}

type entry struct {
	key    string
	text   string
	binary []byte
}

func (v *version) proto(secretID string) *lockbox.Version {
	keys := make([]string, len(v.entries))
	for i, e := range v.entries {
		keys[i] = e.key
	}
	return &lockbox.Version{Id: v.id, SecretId: secretID, CreatedAt: timestamppb.New(v.created),
		Status: v.status, PayloadEntryKeys: keys}
}

// version returns the secret's version with the id, or its current version
// when id is empty; nil when there is none.
func (sec *secret) version(id string) *version {
	if id == "" {
		return sec.current
	}
	for _, v := range sec.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (sec *secret) proto() *lockbox.Secret {
	p := &lockbox.Secret{Id: sec.id, FolderId: sec.folder, CreatedAt: timestamppb.New(sec.created),
		Name: sec.name, Description: sec.desc, Labels: maps.Clone(sec.labels),
		KmsKeyId: sec.kmsKey, Status: sec.status, DeletionProtection: sec.protected}
	if sec.current != nil {
		p.CurrentVersion = sec.current.proto(sec.id)
	}
	return p
}

// apply returns the entries of base changed by the request's entries.
func apply(base *version, changes []*lockbox.PayloadEntryChange) []entry {
	byKey := map[string]entry{}
	if base != nil {
		for _, e := range base.entries {
			byKey[e.key] = e
		}
	}
	for _, c := range changes {
		byKey[c.Key] = entry{key: c.Key, text: c.GetTextValue(),
			binary: slices.Clone(c.GetBinaryValue())}
	}
	out := slices.Collect(maps.Values(byKey))
	slices.SortFunc(out, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	return out
}

// addVersion makes a new current version of entries. The caller holds s.mu.
func (s *Server) addVersion(sec *secret, entries []entry) *version {
	v := &version{id: s.newID("e6q"), created: s.tick(), status: lockbox.Version_ACTIVE,
		entries: entries}
	sec.versions = append(sec.versions, v)
	sec.current = v
	return v
}

// done returns a finished operation with its metadata and response.
func (s *Server) done(desc, by string, meta, resp proto.Message) (*operation.Operation, error) {
	m, err := anypb.New(meta)
	if err != nil {
		return nil, err
	}
	r, err := anypb.New(resp)
	if err != nil {
		return nil, err
	}
	now := timestamppb.New(s.tick())
	op := &operation.Operation{Id: s.newID("e6q"), Description: desc, CreatedAt: now,
		CreatedBy: by, ModifiedAt: now, Done: true, Metadata: m,
		Result: &operation.Operation_Response{Response: r}}
	s.ops[op.Id] = op
	return op, nil
}

type secretService struct {
	lockbox.UnimplementedSecretServiceServer
	s *Server
}

// find returns the caller and the secret: PermissionDenied unless the
// caller holds one of the roles, then NotFound. The caller holds s.mu.
func (s *Server) find(ctx context.Context, id string,
	roles ...string) (*subject, *secret, error) {
	sub := subjectOf(ctx)
	if !sub.can(roles...) {
		return nil, nil, denied()
	}
	if err := checkID("secret_id", id); err != nil {
		return nil, nil, err
	}
	sec := s.secrets[id]
	if sec == nil {
		return nil, nil, status.Errorf(codes.NotFound, "Secret not found: %s", id)
	}
	return sub, sec, nil
}

func (ss *secretService) Get(ctx context.Context,
	r *lockbox.GetSecretRequest) (*lockbox.Secret, error) {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sec, err := s.find(ctx, r.SecretId, RoleViewer, RoleEditor, RoleAdmin)
	if err != nil {
		return nil, err
	}
	return sec.proto(), nil
}

func (ss *secretService) List(ctx context.Context,
	r *lockbox.ListSecretsRequest) (*lockbox.ListSecretsResponse, error) {
	s := ss.s
	if err := checkID("folder_id", r.FolderId); err != nil {
		return nil, err
	}
	size := int(r.PageSize)
	switch {
	case size < 0 || size > maxPageSize:
		return nil, invalid("page_size: value must be in range 0..%d", maxPageSize)
	case size == 0:
		size = defaultPageSize
	}
	start := 0
	if r.PageToken != "" {
		n, err := strconv.Atoi(r.PageToken)
		if err != nil || n < 0 {
			return nil, invalid("page_token: invalid")
		}
		start = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !subjectOf(ctx).can(RoleViewer, RoleEditor, RoleAdmin) {
		return nil, denied()
	}
	var all []*secret
	for _, sec := range s.secrets {
		if sec.folder == r.FolderId {
			all = append(all, sec)
		}
	}
	slices.SortFunc(all, func(a, b *secret) int { return strings.Compare(a.id, b.id) })
	resp := &lockbox.ListSecretsResponse{}
	for i := start; i < len(all) && i < start+size; i++ {
		resp.Secrets = append(resp.Secrets, all[i].proto())
	}
	if start+size < len(all) {
		resp.NextPageToken = strconv.Itoa(start + size)
	}
	return resp, nil
}

func (ss *secretService) Create(ctx context.Context,
	r *lockbox.CreateSecretRequest) (*operation.Operation, error) {
	s := ss.s
	if err := checkCreate(r); err != nil {
		return nil, err
	}
	if r.GetPasswordPayloadSpecification() != nil {
		return nil, status.Error(codes.Unimplemented, "lockboxsim: generated secrets")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := subjectOf(ctx)
	if !sub.can(RoleEditor, RoleAdmin) || r.KmsKeyId != "" && !sub.can(RoleKMS) {
		return nil, denied()
	}
	for _, sec := range s.secrets {
		if sec.folder == r.FolderId && sec.name == r.Name && r.Name != "" {
			return nil, status.Errorf(codes.AlreadyExists,
				"Secret with name %s already exists in folder %s", r.Name, r.FolderId)
		}
	}
	entries := apply(nil, r.VersionPayloadEntries)
	if err := checkVersion(entries); err != nil {
		return nil, err
	}
	sec := &secret{id: s.newID("e6q"), folder: r.FolderId, name: r.Name, desc: r.Description,
		labels: maps.Clone(r.Labels), kmsKey: r.KmsKeyId, status: lockbox.Secret_ACTIVE,
		created: s.tick(), protected: r.DeletionProtection}
	create := len(r.VersionPayloadEntries) > 0
	if r.CreateVersion != nil {
		create = r.CreateVersion.Value
	}
	if create && len(entries) == 0 {
		return nil, invalid("version_payload_entries: required when create_version is true")
	}
	meta := &lockbox.CreateSecretMetadata{SecretId: sec.id}
	if create {
		meta.VersionId = s.addVersion(sec, entries).id
	}
	s.secrets[sec.id] = sec
	return s.done("Create secret", sub.id, meta, sec.proto())
}

func (ss *secretService) AddVersion(ctx context.Context,
	r *lockbox.AddVersionRequest) (*operation.Operation, error) {
	s := ss.s
	if err := checkChanges(r.PayloadEntries); err != nil {
		return nil, err
	}
	if len(r.Description) > maxVersionDesc {
		return nil, invalid("description: length must be <= %d", maxVersionDesc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, sec, err := s.find(ctx, r.SecretId, RoleEditor, RoleAdmin)
	if err != nil {
		return nil, err
	}
	if sec.kmsKey != "" && !sub.can(RoleKMS) {
		return nil, denied()
	}
	if sec.status != lockbox.Secret_ACTIVE {
		return nil, status.Errorf(codes.FailedPrecondition, "Secret %s is not active", sec.id)
	}
	base := sec.version(r.BaseVersionId)
	if base == nil && r.BaseVersionId != "" {
		return nil, status.Errorf(codes.NotFound, "Version not found: %s", r.BaseVersionId)
	}
	if base != nil && base.status == lockbox.Version_DESTROYED {
		return nil, status.Errorf(codes.FailedPrecondition, "Version %s is destroyed", base.id)
	}
	entries := apply(base, r.PayloadEntries)
	if err := checkVersion(entries); err != nil {
		return nil, err
	}
	v := s.addVersion(sec, entries)
	return s.done("Add version", sub.id,
		&lockbox.AddVersionMetadata{SecretId: sec.id, VersionId: v.id}, v.proto(sec.id))
}

func (ss *secretService) Delete(ctx context.Context,
	r *lockbox.DeleteSecretRequest) (*operation.Operation, error) {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, sec, err := s.find(ctx, r.SecretId, RoleEditor, RoleAdmin)
	if err != nil {
		return nil, err
	}
	if sec.protected {
		return nil, status.Errorf(codes.FailedPrecondition,
			"Secret %s is protected from deletion", sec.id)
	}
	delete(s.secrets, sec.id)
	return s.done("Delete secret", sub.id, &lockbox.DeleteSecretMetadata{SecretId: sec.id},
		sec.proto())
}

func (ss *secretService) Activate(ctx context.Context,
	r *lockbox.ActivateSecretRequest) (*operation.Operation, error) {
	return ss.setStatus(ctx, r.SecretId, lockbox.Secret_ACTIVE)
}

func (ss *secretService) Deactivate(ctx context.Context,
	r *lockbox.DeactivateSecretRequest) (*operation.Operation, error) {
	return ss.setStatus(ctx, r.SecretId, lockbox.Secret_INACTIVE)
}

func (ss *secretService) setStatus(ctx context.Context,
	id string, st lockbox.Secret_Status) (*operation.Operation, error) {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, sec, err := s.find(ctx, id, RoleEditor, RoleAdmin)
	if err != nil {
		return nil, err
	}
	sec.status = st
	if st == lockbox.Secret_ACTIVE {
		return s.done("Activate secret", sub.id, &lockbox.ActivateSecretMetadata{SecretId: id},
			sec.proto())
	}
	return s.done("Deactivate secret", sub.id, &lockbox.DeactivateSecretMetadata{SecretId: id},
		sec.proto())
}

// Update changes the fields the mask names: name, description, labels,
// deletion_protection.
func (ss *secretService) Update(ctx context.Context,
	r *lockbox.UpdateSecretRequest) (*operation.Operation, error) {
	s := ss.s
	if r.UpdateMask == nil || len(r.UpdateMask.Paths) == 0 {
		return nil, invalid("update_mask: required")
	}
	switch {
	case len(r.Name) > maxNameLen:
		return nil, invalid("name: length must be <= %d", maxNameLen)
	case len(r.Description) > maxDescLen:
		return nil, invalid("description: length must be <= %d", maxDescLen)
	}
	if err := checkLabels(r.Labels); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, sec, err := s.find(ctx, r.SecretId, RoleEditor, RoleAdmin)
	if err != nil {
		return nil, err
	}
	for _, p := range r.UpdateMask.Paths {
		switch p {
		case "name":
			sec.name = r.Name
		case "description":
			sec.desc = r.Description
		case "labels":
			sec.labels = maps.Clone(r.Labels)
		case "deletion_protection":
			sec.protected = r.DeletionProtection
		default:
			return nil, invalid("update_mask: unknown field %q", p)
		}
	}
	return s.done("Update secret", sub.id, &lockbox.UpdateSecretMetadata{SecretId: sec.id},
		sec.proto())
}
