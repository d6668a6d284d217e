package secrets

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkLockboxPlanReads is what a plan of 1,000 units asks of Lockbox:
// open (one List), then every unit's payload, 8 at once as the planner
// reads them, against the simulator on loopback.
func BenchmarkLockboxPlanReads(b *testing.B) {
	sim := startSim(b)
	var units []Unit
	for i := range 1000 {
		u := Unit{Server: "gitlab.com", Egg: fmt.Sprintf("egg-%04d", i)}
		seedUnit(sim, u, map[string]string{"api-token": token(i), "webhook-secret": token(i + 1)})
		units = append(units, u)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := openSimErr(b.Context(), sim, readerToken, true)
		if err != nil {
			b.Fatal(err)
		}
		work := make(chan Unit)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for u := range work {
					if _, err := s.Read(b.Context(), u); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, u := range units {
			work <- u
		}
		close(work)
		wg.Wait()
		s.Close()
	}
}
