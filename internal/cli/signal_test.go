package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSecondSignalEnds(t *testing.T) {
	tests := []struct {
		name     string
		cause    error
		applying bool
		stopped  bool
		inStderr string
	}{
		{"a signal came during apply", errors.New("interrupt signal received"), true, true,
			"hatchery: interrupted: an apply lets its actions in flight finish; " +
				"interrupt again to stop at once\n"},
		{"a signal came elsewhere", errors.New("interrupt signal received"), false, true, ""},
		{"main returned", nil, true, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(tc.cause)
			var stderr strings.Builder
			stopped := false
			secondSignalEnds(ctx, func() { stopped = true }, &Env{Stderr: &stderr}, tc.applying)
			if stopped != tc.stopped || stderr.String() != tc.inStderr {
				t.Errorf("stopped %v, stderr %q; want %v, %q", stopped, stderr.String(),
					tc.stopped, tc.inStderr)
			}
		})
	}
}
