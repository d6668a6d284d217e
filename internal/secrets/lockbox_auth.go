package secrets

// When a Lockbox call fails as Unauthenticated, the SDK has flattened the
// cause into one status message: the token exchange's answer, IAM's refusal
// of a key and the metadata service's 404 all read alike. authRecorder sits
// where the SDK asks for IAM tokens and keeps the last failure as it was, so
// that the message can say what happened and what to do about it.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/yandex-cloud/go-sdk/v2/pkg/authentication"
	"github.com/yandex-cloud/go-sdk/v2/pkg/transport/middleware/requestid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kinds of credentials, for messages.
const (
	credsExchange = "exchange"
	credsKey      = "key"
	credsIAMToken = "iam-token"
	credsMetadata = "metadata"
)

// authRecorder is the SDK's authenticator with the last failure kept.
type authRecorder struct {
	inner authentication.Authenticator // set once the SDK is built

	mu   sync.Mutex
	last error // the last failure to get an IAM token; nil after a success
}

// CreateIAMToken gets an IAM token from the credentials and keeps the
// failure, if any.
func (a *authRecorder) CreateIAMToken(ctx context.Context) (authentication.IamToken, error) {
	tok, err := a.inner.CreateIAMToken(ctx)
	a.keep(err)
	return tok, err
}

// CreateIAMTokenForServiceAccount is not used by hatchery; it passes on.
func (a *authRecorder) CreateIAMTokenForServiceAccount(ctx context.Context,
	serviceAccountID string) (authentication.IamToken, error) {
	tok, err := a.inner.CreateIAMTokenForServiceAccount(ctx, serviceAccountID)
	a.keep(err)
	return tok, err
}

func (a *authRecorder) keep(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.last = err
}

// failure returns the last failure to get an IAM token, or nil.
func (a *authRecorder) failure() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// credentialsFailed words a call that failed because no IAM token could be
// had (cause is the recorded failure) or because Lockbox refused the one it
// was given (cause is nil, msg is Lockbox's message).
func credentialsFailed(what string, cc *cloudCreds, cause error, msg string) string {
	if cause == nil {
		if cc.kind == credsIAMToken {
			return fmt.Sprintf("%s: Yandex Cloud refused the IAM token in %s (%s); an IAM "+
				"token lives 12 hours, so get a fresh one: yc iam create-token",
				what, EnvIAMToken, msg)
		}
		return fmt.Sprintf("%s: Yandex Cloud refused the IAM token that %s gave (%s)",
			what, cc.source, msg)
	}
	var xe *exchangeError
	if errors.As(cause, &xe) {
		return what + ": " + xe.advice(cc)
	}
	switch cc.kind {
	case credsKey:
		return what + ": " + keyAdvice(cc, cause)
	case credsMetadata:
		return what + ": " + metadataAdvice(cc, cause)
	}
	return fmt.Sprintf("%s: could not get an IAM token from %s: %v", what, cc.source, cause)
}

// keyAdvice words IAM's answer to the JWT that an authorized key signed.
func keyAdvice(cc *cloudCreds, cause error) string {
	st, reqID := statusOf(cause)
	if reqID != "" {
		reqID = " (request id " + reqID + ")"
	}
	switch st.Code() {
	case codes.Unauthenticated, codes.PermissionDenied, codes.InvalidArgument, codes.NotFound:
		return fmt.Sprintf("IAM refused %s, key id %s of service account %s (%s)%s: the key "+
			"was deleted or belongs to another account; make a new one with yc iam key "+
			"create --service-account-id %s --output key.json",
			cc.source, cc.keyID, cc.account, st.Message(), reqID, cc.account)
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return fmt.Sprintf("IAM did not answer for %s (%s: %s)%s: it is unreachable or "+
			"overloaded; run again later, and check %s if it is set",
			cc.source, st.Code(), st.Message(), reqID, EnvEndpoint)
	}
	return fmt.Sprintf("IAM did not make an IAM token from %s (%s: %s)%s",
		cc.source, st.Code(), st.Message(), reqID)
}

// metadataAdvice words the metadata service's failure. The SDK says only
// the HTTP status, or that the service could not be reached.
func metadataAdvice(cc *cloudCreds, cause error) string {
	msg := firstLine(errors.Unwrap(cause))
	switch {
	case strings.Contains(msg, "404 Not Found"):
		return fmt.Sprintf("%s has no IAM token (404 Not Found): the VM runs without a "+
			"service account; attach one (yc compute instance update --service-account-id) "+
			"or use another source of credentials", cc.source)
	case strings.Contains(msg, "call failed"), strings.Contains(msg, "connection refused"):
		return fmt.Sprintf("%s did not answer: %s works only on a Yandex Cloud VM; "+
			"elsewhere leave it unset and use another source of credentials",
			cc.source, EnvMetadata)
	}
	return fmt.Sprintf("%s gave no IAM token: %s", cc.source, msg)
}

// firstLine returns the first line of err's message.
func firstLine(err error) string {
	if err == nil {
		return ""
	}
	line, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSuffix(line, ".")
}

// statusOf returns the gRPC status inside err and its request id.
func statusOf(err error) (*status.Status, string) {
	var w *requestid.ErrorWithRequestIDs
	if errors.As(err, &w) {
		return status.Convert(w.OrigErr), w.IDs.RequestID
	}
	if st, ok := status.FromError(err); ok {
		return st, ""
	}
	return status.New(codes.Unknown, firstLine(err)), ""
}
