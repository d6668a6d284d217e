package cli

import (
	"strings"
	"sync"
	"testing"
)

// TestNotifierTellsAWaitOnce: eight requests meeting one rate limit at once
// give one line, and a different wait is still told.
func TestNotifierTellsAWaitOnce(t *testing.T) {
	var stderr strings.Builder
	var mu sync.Mutex
	notify := (&Env{Stderr: writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return stderr.Write(p)
	})}).notifier()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			notify("waiting 4s: gitlab.com asked to slow down (429)")
		}()
	}
	wg.Wait()
	notify("waiting 4s: gitlab.company.com asked to slow down (429)")
	want := "hatchery: waiting 4s: gitlab.com asked to slow down (429)\n" +
		"hatchery: waiting 4s: gitlab.company.com asked to slow down (429)\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
