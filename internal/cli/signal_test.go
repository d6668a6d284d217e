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
		stopped  bool
		inStderr string
	}{
		{"a signal came", errors.New("interrupt signal received"), true,
			"hatchery: interrupted: an apply lets its actions in flight finish; " +
				"interrupt again to stop at once\n"},
		{"main returned", nil, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(tc.cause)
			var stderr strings.Builder
			stopped := false
			secondSignalEnds(ctx, func() { stopped = true }, &Env{Stderr: &stderr})
			if stopped != tc.stopped || stderr.String() != tc.inStderr {
				t.Errorf("stopped %v, stderr %q; want %v, %q", stopped, stderr.String(),
					tc.stopped, tc.inStderr)
			}
		})
	}
}
