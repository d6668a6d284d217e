package secrets

import (
	"context"
	"errors"
	"maps"
	"testing"
)

// TestFileStorePrune: a record keeps only what Prune is told to keep, its
// runner id is forgotten, a record left empty goes, and other records and a
// missing one are no trouble.
func TestFileStorePrune(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	full := map[Type]string{
		APIToken:      "glpat-person-stored-0123",
		RunnerToken:   "glrt-apply-made-012345",
		WebhookSecret: "webhook-secret-0123456789",
	}
	mustWrite(t, s, unitA, Update{Values: full, RunnerID: 7})
	mustWrite(t, s, unitB, Update{Values: map[Type]string{RunnerToken: "glrt-only-runner-0123"},
		RunnerID: 8})

	if err := s.Prune(ctx, unitA, APIToken); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Read(ctx, unitA)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Type]string{APIToken: full[APIToken]}
	if !maps.Equal(rec.Values, want) || rec.RunnerID != 0 {
		t.Errorf("after Prune: %v runner %d; want %v and no runner", rec.Values, rec.RunnerID, want)
	}

	if err := s.Prune(ctx, unitB, APIToken); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, unitB); !errors.Is(err, ErrNotFound) {
		t.Errorf("a record left with nothing: Read = %v, want ErrNotFound", err)
	}
	if err := s.Prune(ctx, Unit{"gitlab.com", "missing"}, APIToken); err != nil {
		t.Errorf("Prune of a missing record: %v", err)
	}
}

func TestFileStorePruneReadOnly(t *testing.T) {
	s, path := openTemp(t)
	mustWrite(t, s, unitA, Update{RunnerID: 1})
	ro, err := OpenFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Prune(context.Background(), unitA); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Prune on a read-only store: %v, want ErrReadOnly", err)
	}
}
