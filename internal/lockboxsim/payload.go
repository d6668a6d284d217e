package lockboxsim

import (
	"context"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"github.com/yandex-cloud/go-genproto/yandex/cloud/operation"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

type payloadService struct {
	lockbox.UnimplementedPayloadServiceServer
	s *Server
}

// Get returns the payload of the secret's current version, or of the
// version named.
func (ps *payloadService) Get(ctx context.Context,
	r *lockbox.GetPayloadRequest) (*lockbox.Payload, error) {
	s := ps.s
	if r.VersionId != "" && len(r.VersionId) > maxIDLen {
		return nil, invalid("version_id: length must be <= %d", maxIDLen)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, sec, err := s.find(ctx, r.SecretId, RolePayloadViewer, RoleAdmin)
	if err != nil {
		return nil, err
	}
	if sec.kmsKey != "" && !sub.can(RoleKMS) {
		return nil, denied()
	}
	if sec.status != lockbox.Secret_ACTIVE {
		return nil, status.Errorf(codes.FailedPrecondition, "Secret %s is not active", sec.id)
	}
	v := sec.version(r.VersionId)
	if v == nil {
		return nil, status.Errorf(codes.NotFound, "Version not found")
	}
	if v.status == lockbox.Version_DESTROYED {
		return nil, status.Errorf(codes.FailedPrecondition, "Version %s is destroyed", v.id)
	}
	p := &lockbox.Payload{VersionId: v.id}
	for _, e := range v.entries {
		pe := &lockbox.Payload_Entry{Key: e.key}
		if e.binary != nil {
			pe.Value = &lockbox.Payload_Entry_BinaryValue{BinaryValue: e.binary}
		} else {
			pe.Value = &lockbox.Payload_Entry_TextValue{TextValue: e.text}
		}
		p.Entries = append(p.Entries, pe)
	}
	return p, nil
}

type operationService struct {
	operation.UnimplementedOperationServiceServer
	s *Server
}

// Get returns an operation; every one is finished when it is returned.
func (o *operationService) Get(ctx context.Context,
	r *operation.GetOperationRequest) (*operation.Operation, error) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	op := o.s.ops[r.OperationId]
	if op == nil {
		return nil, status.Errorf(codes.NotFound, "Operation not found: %s", r.OperationId)
	}
	return proto.Clone(op).(*operation.Operation), nil
}
