package secrets

// How Lockbox calls are repeated and waited for: a call that fails as
// Unavailable or ResourceExhausted is sent again, with a growing pause,
// until the context's deadline, or defaultRetryFor without one; an
// operation is polled until it is done.

import (
	"context"
	"fmt"
	"time"

	"github.com/yandex-cloud/go-genproto/yandex/cloud/operation"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// defaultRetryFor bounds retries, of Lockbox calls and of the token
// exchange, when the context has no deadline.
const defaultRetryFor = time.Minute

// retryDeadline returns ctx, bounded by defaultRetryFor from now when it has
// no deadline of its own.
func retryDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, defaultRetryFor)
}

// operate starts an operation, retried as retry does, and waits for it to
// finish; its response goes into resp, unless resp is nil.
func (s *LockboxStore) operate(ctx context.Context, resp proto.Message,
	start func(context.Context) (*operation.Operation, error)) error {
	return s.retry(ctx, func(ctx context.Context) error {
		op, err := start(ctx)
		if err == nil {
			err = s.finish(ctx, op, resp)
		}
		return err
	})
}

// finish waits for op to be done and unmarshals its response into resp,
// unless resp is nil.
func (s *LockboxStore) finish(ctx context.Context, op *operation.Operation,
	resp proto.Message) error {
	for delay := 100 * time.Millisecond; !op.Done; delay = min(2*delay, 2*time.Second) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("operation %s: %w", op.Id, ctx.Err())
		case <-time.After(delay):
		}
		var err error
		req := &operation.GetOperationRequest{OperationId: op.Id}
		if op, err = s.ops.Get(ctx, req); err != nil {
			return err
		}
	}
	if e := op.GetError(); e != nil {
		return status.FromProto(e).Err()
	}
	if resp == nil {
		return nil
	}
	if err := op.GetResponse().UnmarshalTo(resp); err != nil {
		return fmt.Errorf("operation %s: %w", op.Id, err)
	}
	return nil
}

// retry runs call until it succeeds, fails for good, or the deadline (the
// context's, else defaultRetryFor from now) leaves no time for another try.
func (s *LockboxStore) retry(ctx context.Context, call func(context.Context) error) error {
	ctx, cancel := retryDeadline(ctx)
	defer cancel()
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
		err := call(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if dl, _ := ctx.Deadline(); time.Until(dl) < delay {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// retryable reports whether a call that failed with err may simply be
// sent again.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted:
		return true
	}
	return false
}
