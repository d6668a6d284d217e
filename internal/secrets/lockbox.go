package secrets

import (
	"context"
	"errors"
	"fmt"
)

// ErrUnavailable is returned (wrapped) by Open for a backend that this build
// of hatchery does not contain.
var ErrUnavailable = errors.New("not available in this build")

// openLockbox opens the Lockbox backend. Not built yet: this is where the
// Lockbox Store will plug in; until then every nest that relies on the
// default backend must use HATCHERY_SECRETS=file:PATH.
func openLockbox(ctx context.Context, c Config) (Store, error) {
	return nil, fmt.Errorf("secrets backend %q: %w", BackendLockbox, ErrUnavailable)
}
