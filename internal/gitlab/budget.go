package gitlab

import (
	"context"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// rateBudget is the time one request has spent waiting on rate limits,
// over all its retries: MaxWait bounds the sum, not each wait.
type rateBudget struct {
	mu    sync.Mutex
	spent time.Duration
}

type budgetKey struct{}

// budgeted is gl.WithContext with a fresh rate-limit budget: every request
// an operation sends starts with MaxWait to spend.
func budgeted(ctx context.Context) gl.RequestOptionFunc {
	return gl.WithContext(context.WithValue(ctx, budgetKey{}, &rateBudget{}))
}

// budgetOf returns the budget of the request ctx belongs to; a request sent
// without one gets a fresh budget for each wait.
func budgetOf(ctx context.Context) *rateBudget {
	if b, ok := ctx.Value(budgetKey{}).(*rateBudget); ok {
		return b
	}
	return &rateBudget{}
}

// left is what remains of limit.
func (b *rateBudget) left(limit time.Duration) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return limit - b.spent
}

// spend takes d from the budget, or what is left of it, and returns that.
func (b *rateBudget) spend(d, limit time.Duration) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	d = max(min(d, limit-b.spent), 0)
	b.spent += d
	return d
}
