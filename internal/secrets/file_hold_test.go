package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFileStoreHold(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	release, err := s.Hold(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The holder writes as usual: the hold is not the lock of each write.
	s.lockWait = 0
	mustWrite(t, s, unitA, Update{RunnerID: 1})

	// A second apply, here another open of the same file, fails at once and
	// names the lock file.
	other := mustOpen(t, path)
	_, err = other.Hold(ctx)
	if !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), path+".apply.lock") {
		t.Fatalf("second Hold = %v, want ErrHeld naming %s.apply.lock", err, path)
	}

	release()
	release2, err := other.Hold(ctx)
	if err != nil {
		t.Fatalf("Hold after release: %v", err)
	}
	release2()
}

func TestFileStoreHoldReadOnly(t *testing.T) {
	_, path := openTemp(t)
	ro, err := OpenFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Hold(context.Background()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Hold of a read-only store = %v, want ErrReadOnly", err)
	}
}
