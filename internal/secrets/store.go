package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
)

// ErrNotFound is returned (wrapped) by Store.Read when a unit has no record.
var ErrNotFound = errors.New("no secret record")

// ErrReadOnly is returned (wrapped) by Write and Delete on a store opened
// read-only, as plan does.
var ErrReadOnly = errors.New("secret store is open read-only")

// ErrHeld is returned (wrapped) by Hold when another apply holds the store.
var ErrHeld = errors.New("another hatchery apply holds the secret store")

// Store holds one secret record per unit. The plan reads it, apply writes it.
//
// The methods map one to one onto what a remote store can do cheaply: List
// is one listing of the whole store, Read one payload read of one unit, and
// Write adds a version merged onto the previous one. Every method is safe for
// concurrent use. Hold keeps a whole apply to itself where the backend can
// lock; where it cannot (Lockbox), the CI resource group keeps applies apart.
type Store interface {
	// Hold takes the store for one apply until release is called, and fails
	// at once, with an error wrapping ErrHeld, when another apply holds it.
	// Writes of the holder go on as usual. A backend that cannot lock
	// returns a release that does nothing.
	Hold(ctx context.Context) (release func(), err error)
	// List returns every unit that has a record, sorted by server then egg.
	List(ctx context.Context) ([]Unit, error)
	// Read returns the unit's record, or an error wrapping ErrNotFound.
	Read(ctx context.Context, u Unit) (*Record, error)
	// Write merges up onto the unit's record, creating it when needed:
	// values not named in up and a zero RunnerID keep what was stored.
	Write(ctx context.Context, u Unit, up Update) error
	// Delete removes the unit's record; deleting a missing record is no error,
	// so an interrupted apply can simply run again.
	Delete(ctx context.Context, u Unit) error
	// String says where the records live, for messages: never a secret.
	String() string
	// Close releases what the store holds open.
	Close() error
}

// Pruner is a Store that can drop entries from a record in one step. Apply
// uses it to forget what it made for a removed egg while the api-token a
// person stored stays, with no moment in which the token is stored nowhere.
type Pruner interface {
	// Prune keeps only the keep types of the unit's record and forgets its
	// runner id; a missing record is no error.
	Prune(ctx context.Context, u Unit, keep ...Type) error
}

// Record is what a store keeps for one unit.
type Record struct {
	Unit
	// Values holds the unit's secrets by type; a missing type is absent.
	Values map[Type]string
	// RunnerID is the GitLab runner that apply created for the unit, 0 when
	// none is known; the next plan starts looking for the runner here.
	RunnerID int64
}

// Update is a change to one record: only what it names is written.
type Update struct {
	Values   map[Type]string // secrets to set, each at least MinMaskLen long
	RunnerID int64           // set when not 0
}

// Check reports whether up names something to write and nothing invalid.
func (up Update) Check() error {
	if len(up.Values) == 0 && up.RunnerID == 0 {
		return errors.New("empty update: no secret and no runner id to write")
	}
	if up.RunnerID < 0 {
		return fmt.Errorf("runner id %d is not positive", up.RunnerID)
	}
	for t, v := range up.Values {
		if _, err := ParseType(string(t)); err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("empty value for %s", t)
		}
		if len(v) < MinMaskLen {
			// The Redactor would not mask it, so it could leak into output.
			unit := "characters"
			if len(v) == 1 {
				unit = "character"
			}
			return fmt.Errorf("%s is %d %s long; hatchery needs at least %d "+
				"to mask it", t, len(v), unit, MinMaskLen)
		}
	}
	return nil
}

// checkChange refuses a change to a store opened read-only, and a unit that
// is not well formed.
func checkChange(s Store, readOnly bool, u Unit) error {
	if readOnly {
		return fmt.Errorf("change %s in %s: %w", u, s, ErrReadOnly)
	}
	return u.Check()
}

// merge returns rec with up applied; rec may be nil.
func merge(u Unit, rec *Record, up Update) *Record {
	out := &Record{Unit: u, Values: map[Type]string{}}
	if rec != nil {
		maps.Copy(out.Values, rec.Values)
		out.RunnerID = rec.RunnerID
	}
	maps.Copy(out.Values, up.Values)
	if up.RunnerID != 0 {
		out.RunnerID = up.RunnerID
	}
	return out
}

// clone returns a copy of rec that shares nothing with it.
func (rec *Record) clone() *Record {
	c := *rec
	c.Values = maps.Clone(rec.Values)
	if c.Values == nil {
		c.Values = map[Type]string{}
	}
	return &c
}
