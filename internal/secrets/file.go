package secrets

// The file backend keeps every record in one JSON file. Its rules:
//
//   - The file is written with mode 0600 and always replaced whole: a temporary
//     file in the same directory, synced, then renamed over the old one, so a
//     reader sees the old content or the new, never half of it.
//   - A file that group or others may read or write is refused, the way ssh
//     refuses such a private key: the fix (chmod 600) is in the error.
//   - Each Write and Delete holds an exclusive flock on PATH.lock for its
//     read-modify-write, so two processes never lose each other's updates.
//     Reads take no lock (the rename makes them safe), so a plan never waits
//     for an apply. The lock file is left in place: removing it would race.
//   - A missing file is an empty store; the first Write creates it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"
)

// fileFormat is the format_version this build reads and writes.
const fileFormat = 1

// defaultLockWait bounds how long a write waits for another process's lock.
const defaultLockWait = 30 * time.Second

// maxFileSize keeps a wrong path (a disk image, a log) from being read whole.
const maxFileSize = 64 << 20

// FileStore is the Store backed by a JSON file.
type FileStore struct {
	name     string // the path as the user gave it, for messages
	path     string // the file itself, symbolic links resolved
	readOnly bool
	lockWait time.Duration

	mu    sync.Mutex    // guards cache and orders this process's writes
	cache *fileSnapshot // the content last read or written
}

// fileSnapshot is the parsed content of one version of the file.
type fileSnapshot struct {
	info    os.FileInfo // nil when the file does not exist
	records map[Unit]*Record
}

type fileJSON struct {
	FormatVersion int          `json:"format_version"`
	Records       []recordJSON `json:"records"`
}

type recordJSON struct {
	Server   string          `json:"server"`
	Egg      string          `json:"egg"`
	RunnerID int64           `json:"runner_id,omitempty"`
	Secrets  map[Type]string `json:"secrets"`
}

// OpenFile opens the store kept in the JSON file at path and reads it once, so
// a damaged or exposed file is reported before any work starts. With readOnly
// set, Write and Delete fail with ErrReadOnly.
func OpenFile(path string, readOnly bool) (*FileStore, error) {
	if path == "" {
		return nil, errors.New("open secrets file: empty path")
	}
	resolved, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		resolved, err = path, nil
	}
	if err != nil {
		// EvalSymlinks may or may not name the path; name it once.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("open secrets file %s: %w", path, err)
	}
	s := &FileStore{name: path, path: resolved, readOnly: readOnly, lockWait: defaultLockWait}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.current(); err != nil {
		return nil, err
	}
	return s, nil
}

// String returns file:PATH, the form HATCHERY_SECRETS takes.
func (s *FileStore) String() string { return "file:" + s.name }

// Hold takes an exclusive lock on PATH.apply.lock for one apply, without
// waiting. It is another file than the PATH.lock of each write, so the
// holder's own writes never wait for it.
func (s *FileStore) Hold(ctx context.Context) (release func(), err error) {
	if s.readOnly {
		return nil, fmt.Errorf("hold %s: %w", s, ErrReadOnly)
	}
	name := s.name + ".apply.lock"
	if err := s.makeDir(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.path+".apply.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock secrets file %s: %w", s.name, err)
	}
	ok, err := tryLock(f)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s is locked", ErrHeld, name)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock secrets file %s: %w", s.name, err)
	}
	return func() { f.Close() }, nil // closing the file drops the lock
}

// Close releases nothing: locks are held only inside Write and Delete.
func (s *FileStore) Close() error { return nil }

// List returns every unit that has a record, sorted by server then egg.
func (s *FileStore) List(ctx context.Context) ([]Unit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, err := s.current()
	if err != nil {
		return nil, err
	}
	units := make([]Unit, 0, len(snap.records))
	for u := range snap.records {
		units = append(units, u)
	}
	slices.SortFunc(units, compareUnits)
	return units, nil
}

// Read returns a copy of the unit's record, or an error wrapping ErrNotFound.
func (s *FileStore) Read(ctx context.Context, u Unit) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, err := s.current()
	if err != nil {
		return nil, err
	}
	rec, ok := snap.records[u]
	if !ok {
		return nil, fmt.Errorf("read %s from %s: %w", u, s, ErrNotFound)
	}
	return rec.clone(), nil
}

// Write merges up onto the unit's record under the file lock.
func (s *FileStore) Write(ctx context.Context, u Unit, up Update) error {
	if err := checkChange(s, s.readOnly, u); err != nil {
		return err
	}
	if err := up.Check(); err != nil {
		return fmt.Errorf("write %s to %s: %w", u, s, err)
	}
	return s.change(ctx, func(recs map[Unit]*Record) bool {
		recs[u] = merge(u, recs[u], up)
		return true
	})
}

// Delete removes the unit's record under the file lock; a missing record is
// no error.
func (s *FileStore) Delete(ctx context.Context, u Unit) error {
	if err := checkChange(s, s.readOnly, u); err != nil {
		return err
	}
	return s.change(ctx, func(recs map[Unit]*Record) bool {
		if _, ok := recs[u]; !ok {
			return false
		}
		delete(recs, u)
		return true
	})
}

// Prune keeps only the keep types of the unit's record and its runner id
// is forgotten, in one atomic replace of the file; a record left with no
// value is removed.
func (s *FileStore) Prune(ctx context.Context, u Unit, keep ...Type) error {
	if err := checkChange(s, s.readOnly, u); err != nil {
		return err
	}
	return s.change(ctx, func(recs map[Unit]*Record) bool {
		rec, ok := recs[u]
		if !ok {
			return false
		}
		pruned := &Record{Unit: u, Values: map[Type]string{}}
		for _, t := range keep {
			if v, ok := rec.Values[t]; ok {
				pruned.Values[t] = v
			}
		}
		if len(pruned.Values) == 0 {
			delete(recs, u)
		} else {
			recs[u] = pruned
		}
		return true
	})
}

// change runs edit on a copy of the newest records while holding the lock and
// saves the result when edit reports a change.
func (s *FileStore) change(ctx context.Context, edit func(map[Unit]*Record) bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write secrets file %s: %w", s.name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	snap, err := s.current()
	if err != nil {
		return err
	}
	recs := make(map[Unit]*Record, len(snap.records)+1)
	for u, r := range snap.records {
		recs[u] = r.clone()
	}
	if !edit(recs) {
		return nil
	}
	return s.save(recs)
}

// current returns the records of the file as it is now, re-reading it only
// when it was replaced since the last read. The caller holds s.mu.
func (s *FileStore) current() (*fileSnapshot, error) {
	info, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &fileSnapshot{records: map[Unit]*Record{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file %s: %w", s.name, err)
	}
	if c := s.cache; c != nil && c.info != nil && sameVersion(c.info, info) {
		return c, nil
	}
	snap, err := s.load()
	if err != nil {
		return nil, err
	}
	s.cache = snap
	return snap, nil
}

// sameVersion reports whether a and b describe the same file content: every
// save makes a new file, so the identity changes with the content.
func sameVersion(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// load reads and checks the file.
func (s *FileStore) load() (*fileSnapshot, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &fileSnapshot{records: map[Unit]*Record{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file %s: %w", s.name, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read secrets file %s: %w", s.name, err)
	}
	if err := s.checkMode(info); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read secrets file %s: %w", s.name, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("read secrets file %s: larger than %d bytes", s.name, maxFileSize)
	}
	recs, err := decodeFile(data)
	if err != nil {
		return nil, fmt.Errorf("read secrets file %s: %w", s.name, err)
	}
	return &fileSnapshot{info: info, records: recs}, nil
}

func (s *FileStore) checkMode(info os.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("secrets file %s is not a regular file", s.name)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return fmt.Errorf("secrets file %s is open to group or others (mode %04o): "+
			"run chmod 600 %s", s.name, perm, s.name)
	}
	return nil
}

// decodeFile parses the file's content strictly: unknown fields, unknown
// secret types, empty values and duplicate units are errors. An empty file is
// an empty store.
func decodeFile(data []byte) (map[Unit]*Record, error) {
	recs := map[Unit]*Record{}
	if len(bytes.TrimSpace(data)) == 0 {
		return recs, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc fileJSON
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON document")
	}
	if doc.FormatVersion != fileFormat {
		return nil, fmt.Errorf("format_version is %d, this hatchery reads %d",
			doc.FormatVersion, fileFormat)
	}
	for i, rj := range doc.Records {
		rec, err := rj.record()
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		if _, dup := recs[rec.Unit]; dup {
			return nil, fmt.Errorf("record %d: second record for %s", i+1, rec.Unit)
		}
		recs[rec.Unit] = rec
	}
	return recs, nil
}

func (rj recordJSON) record() (*Record, error) {
	u := Unit{Server: rj.Server, Egg: rj.Egg}
	if err := u.Check(); err != nil {
		return nil, err
	}
	up := Update{Values: rj.Secrets, RunnerID: rj.RunnerID}
	if len(up.Values) > 0 || up.RunnerID != 0 {
		if err := up.Check(); err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
	}
	return merge(u, nil, up), nil
}

// save replaces the file atomically with recs. The caller holds the lock.
func (s *FileStore) save(recs map[Unit]*Record) error {
	data, err := encodeFile(recs)
	if err != nil {
		return fmt.Errorf("write secrets file %s: %w", s.name, err)
	}
	dir, base := filepath.Split(s.path)
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write secrets file %s: %w", s.name, err)
	}
	info, err := writeSynced(tmp, data)
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write secrets file %s: %w", s.name, err)
	}
	syncDir(dir)
	s.cache = &fileSnapshot{info: info, records: recs}
	return nil
}

// writeSynced writes data to f with mode 0600, flushes it to disk and closes
// f. The returned info identifies the file after it is renamed.
func writeSynced(f *os.File, data []byte) (os.FileInfo, error) {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	var info os.FileInfo
	if err == nil {
		info, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return info, err
}

// syncDir makes a rename in dir durable. Some file systems refuse to sync a
// directory; the rename has happened either way, so errors are ignored.
func syncDir(dir string) {
	if dir == "" {
		dir = "."
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func encodeFile(recs map[Unit]*Record) ([]byte, error) {
	doc := fileJSON{FormatVersion: fileFormat, Records: []recordJSON{}}
	for _, r := range recs {
		doc.Records = append(doc.Records, recordJSON{
			Server: r.Server, Egg: r.Egg, RunnerID: r.RunnerID, Secrets: r.Values,
		})
	}
	slices.SortFunc(doc.Records, func(a, b recordJSON) int {
		return compareUnits(Unit{a.Server, a.Egg}, Unit{b.Server, b.Egg})
	})
	data, err := json.MarshalIndent(doc, "", "  ")
	return append(data, '\n'), err
}

// lock takes the exclusive lock on PATH.lock, polling until it is free, ctx
// ends or lockWait has passed.
func (s *FileStore) lock(ctx context.Context) (unlock func(), err error) {
	if err := s.makeDir(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock secrets file %s: %w", s.name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.lockWait)
	defer cancel()
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock secrets file %s: %w", s.name, err)
		}
		if ok {
			return func() { f.Close() }, nil // closing the file drops the lock
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock secrets file %s: another hatchery holds %s.lock: %w",
				s.name, s.name, ctx.Err())
		case <-time.After(delay):
		}
	}
}

// makeDir creates the directory of the file, readable by its owner only,
// when it is missing: the first write to ~/.hatchery/secrets.json should
// not fail for want of ~/.hatchery.
func (s *FileStore) makeDir() error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("create the directory of secrets file %s: %w", s.name, err)
	}
	return nil
}
