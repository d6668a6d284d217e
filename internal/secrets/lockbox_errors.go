package secrets

import (
	"errors"
	"fmt"

	"github.com/yandex-cloud/go-sdk/v2/pkg/transport/middleware/requestid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrPermission is returned (wrapped) when Lockbox refuses a call for lack
// of a role; the message names the role.
var ErrPermission = errors.New("permission denied")

// requestID returns the request id that Yandex Cloud gave the failed call.
func requestID(err error) string {
	var w *requestid.ErrorWithRequestIDs
	if errors.As(err, &w) {
		return w.IDs.RequestID
	}
	return ""
}

// callError is a failed Lockbox call, said in words a person can act on.
type callError struct {
	msg   string
	reqID string
	err   error  // what errors.Is should see
	grant string // for a refusal: the yc command that grants what is missing
}

// GrantCommand returns the yc command that grants the role a refused
// Lockbox call lacked, or "" when err is no such refusal. The account is
// the one hatchery spoke as, or ID when hatchery cannot know it (an IAM
// token or the metadata service).
func GrantCommand(err error) string {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.grant
	}
	return ""
}

// grantCommand is the yc command that grants n's roles to the account.
func grantCommand(n need, account string) string {
	if account == "" {
		account = "ID"
	}
	cmd := fmt.Sprintf("yc resource-manager folder add-access-binding %s --role %s "+
		"--service-account-id %s", n.folder, n.role, account)
	if n.kmsKey != "" {
		cmd += fmt.Sprintf(" && yc kms symmetric-key add-access-binding %s --role "+
			"kms.keys.encrypterDecrypter --service-account-id %s", n.kmsKey, account)
	}
	return cmd
}

func (e *callError) Error() string {
	if e.reqID == "" {
		return e.msg
	}
	return e.msg + " (request id " + e.reqID + ")"
}

func (e *callError) Unwrap() error { return e.err }

// need says which roles a call needs, for the permission denied message.
type need struct {
	role   string // lockbox.viewer, lockbox.payloadViewer or lockbox.editor
	folder string
	kmsKey string // the secret's own KMS key, when it has one
}

// callFailed turns a gRPC error into a callError: the status message alone,
// never the whole status, and the role that a refusal calls for.
func callFailed(what string, n need, err error) *callError {
	st := status.Convert(unwrapIDs(err))
	ce := &callError{reqID: requestID(err), err: err}
	switch st.Code() {
	case codes.PermissionDenied:
		ce.err = ErrPermission
		ce.msg = fmt.Sprintf("%s: permission denied: the account needs role %s on folder %s",
			what, n.role, n.folder)
		if n.kmsKey != "" {
			ce.msg += fmt.Sprintf(", and kms.keys.encrypterDecrypter on KMS key %s, "+
				"which encrypts this secret", n.kmsKey)
		}
	case codes.Unavailable, codes.DeadlineExceeded:
		ce.msg = fmt.Sprintf("%s: Lockbox did not answer in time: %s", what, st.Message())
	case codes.Unknown:
		// Not a status from the server: a dial or credentials failure.
		ce.msg = fmt.Sprintf("%s: %v", what, unwrapIDs(err))
	default:
		ce.msg = fmt.Sprintf("%s: %s: %s", what, st.Code(), st.Message())
	}
	return ce
}

// unwrapIDs returns err without the request id prefix the SDK adds.
func unwrapIDs(err error) error {
	var w *requestid.ErrorWithRequestIDs
	if errors.As(err, &w) {
		return w.OrigErr
	}
	return err
}

// failed words a failed call; a refusal names the role and the credentials.
func (s *LockboxStore) failed(what, role, kmsKey string, err error) error {
	var ce *callError
	if errors.As(err, &ce) {
		return err // worded already, by a nested call
	}
	code := status.Code(unwrapIDs(err))
	n := need{role: role, folder: s.folder, kmsKey: kmsKey}
	ce = callFailed(what, n, err)
	switch code {
	case codes.PermissionDenied:
		ce.msg += " (credentials: " + s.creds.source + ")"
		ce.grant = grantCommand(n, s.creds.account)
	case codes.Unauthenticated:
		// Either no IAM token could be had, or Lockbox refused the one sent.
		cause := s.auth.failure()
		ce.msg = credentialsFailed(what, s.creds, cause, status.Convert(unwrapIDs(err)).Message())
		if cause != nil {
			ce.reqID = ""
		}
	}
	return ce
}
