package lockboxsim

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// codeByName maps gRPC code names, as Request.Code shows them, to codes.
var codeByName = func() map[string]codes.Code {
	m := map[string]codes.Code{}
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		m[c.String()] = c
	}
	return m
}()

type subjectKey struct{}

// intercept authenticates, injects faults, answers with a request id and
// logs every call.
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo,
	h grpc.UnaryHandler) (any, error) {
	method := shortMethod(info.FullMethod)
	md, _ := metadata.FromIncomingContext(ctx)
	reqID := first(md, "x-request-id")

	s.mu.Lock()
	if reqID == "" {
		reqID = fmt.Sprintf("lockboxsim-%d", len(s.log)+1)
	}
	sub, authErr := s.authenticate(md, method)
	f := s.fault(method)
	s.mu.Unlock()
	grpc.SetHeader(ctx, metadata.Pairs("x-request-id", reqID))

	var resp any
	var err error
	switch {
	case f != nil && f.Lost && authErr == nil:
		h(context.WithValue(ctx, subjectKey{}, sub), req)
		err = status.Error(codeByName[f.Code], "answer lost, injected by lockboxsim")
	case f != nil:
		err = status.Error(codeByName[f.Code], "injected by lockboxsim")
	case authErr != nil:
		err = authErr
	default:
		resp, err = h(context.WithValue(ctx, subjectKey{}, sub), req)
	}
	r := Request{Method: method, Code: status.Code(err).String()}
	if sub != nil {
		r.Subject = sub.id
	}
	s.mu.Lock()
	s.log = append(s.log, r)
	s.mu.Unlock()
	return resp, err
}

// authenticate finds the subject of the call's bearer token. Creating an IAM
// token needs none. The caller holds s.mu.
func (s *Server) authenticate(md metadata.MD, method string) (*subject, error) {
	if method == "IamTokenService.Create" {
		return nil, nil
	}
	auth := first(md, "authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		return nil, status.Error(codes.Unauthenticated, "The token is missing")
	}
	sub := s.tokens[token]
	if sub == nil {
		return nil, status.Error(codes.Unauthenticated, "The token is invalid")
	}
	return sub, nil
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// shortMethod turns /yandex.cloud.lockbox.v1.SecretService/List into
// SecretService.List.
func shortMethod(full string) string {
	svc, m, _ := strings.Cut(strings.TrimPrefix(full, "/"), "/")
	if i := strings.LastIndexByte(svc, '.'); i >= 0 {
		svc = svc[i+1:]
	}
	return svc + "." + m
}

// subjectOf is the subject that intercept found for the call.
func subjectOf(ctx context.Context) *subject {
	sub, _ := ctx.Value(subjectKey{}).(*subject)
	return sub
}

// can reports whether the subject holds one of the roles.
func (sub *subject) can(roles ...string) bool {
	for _, r := range roles {
		if sub.roles[r] {
			return true
		}
	}
	return false
}

// denied is Lockbox's answer to a call the subject's roles do not allow.
func denied() error {
	return status.Error(codes.PermissionDenied, "Permission denied")
}
