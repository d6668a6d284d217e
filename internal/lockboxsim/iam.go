package lockboxsim

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	iam "github.com/yandex-cloud/go-genproto/yandex/cloud/iam/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// jwtAudience is the audience IAM requires in a service account's JWT.
const jwtAudience = "https://iam.api.cloud.yandex.net/iam/v1/tokens"

// tokenLifetime is how long an IAM token lives: 12 hours in Yandex Cloud.
const tokenLifetime = 12 * time.Hour

// saKey is the public half of an authorized key.
type saKey struct {
	serviceAccount string
	public         *rsa.PublicKey
}

// AddKey registers the public half (PEM) of an authorized key of the
// service account, as `yc iam key create` does.
func (s *Server) AddKey(keyID, serviceAccountID, publicPEM string) error {
	block, _ := pem.Decode([]byte(publicPEM))
	if block == nil {
		return fmt.Errorf("lockboxsim: key %s: no PEM block", keyID)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("lockboxsim: key %s: %w", keyID, err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("lockboxsim: key %s is not an RSA key", keyID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subject(serviceAccountID)
	s.keys[keyID] = &saKey{serviceAccount: serviceAccountID, public: rsaPub}
	return nil
}

type iamTokenService struct {
	iam.UnimplementedIamTokenServiceServer
	s *Server
}

// Create exchanges a service account's signed JWT for an IAM token. The
// JWT must be PS256, name a registered key in kid, have the key's service
// account as issuer, IAM's token URL as audience, and not have expired.
func (is *iamTokenService) Create(ctx context.Context,
	r *iam.CreateIamTokenRequest) (*iam.CreateIamTokenResponse, error) {
	jwt := r.GetJwt()
	if jwt == "" {
		return nil, status.Error(codes.InvalidArgument, "lockboxsim: only jwt is supported")
	}
	sa, err := is.s.verifyJWT(jwt)
	if err != nil {
		return nil, status.Errorf(codes.Unauthenticated, "Invalid JWT: %v", err)
	}
	is.s.mu.Lock()
	defer is.s.mu.Unlock()
	return &iam.CreateIamTokenResponse{IamToken: is.s.issue(sa),
		ExpiresAt: timestamppb.New(time.Now().Add(tokenLifetime))}, nil
}

func (s *Server) verifyJWT(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not three parts")
	}
	var head struct{ Alg, Kid string }
	var claims struct {
		Iss string
		Aud any
		Exp int64
	}
	if err := decodePart(parts[0], &head); err != nil {
		return "", err
	}
	if err := decodePart(parts[1], &claims); err != nil {
		return "", err
	}
	s.mu.Lock()
	key := s.keys[head.Kid]
	s.mu.Unlock()
	switch {
	case head.Alg != "PS256":
		return "", fmt.Errorf("alg %q, want PS256", head.Alg)
	case key == nil:
		return "", fmt.Errorf("unknown key %q", head.Kid)
	case claims.Iss != key.serviceAccount:
		return "", fmt.Errorf("iss %q is not the key's service account", claims.Iss)
	case !hasAudience(claims.Aud, jwtAudience):
		return "", fmt.Errorf("aud is not %s", jwtAudience)
	case time.Unix(claims.Exp, 0).Before(time.Now()):
		return "", fmt.Errorf("expired")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256}
	if err := rsa.VerifyPSS(key.public, crypto.SHA256, sum[:], sig, opts); err != nil {
		return "", fmt.Errorf("signature: %w", err)
	}
	return key.serviceAccount, nil
}

func decodePart(p string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func hasAudience(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, x := range a {
			if x == want {
				return true
			}
		}
	}
	return false
}
