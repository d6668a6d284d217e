package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	unitA = Unit{"gitlab.com", "app-a"}
	unitB = Unit{"127.0.0.1:8080", "app-b"}
)

func openTemp(t *testing.T) (*FileStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secrets.json")
	s, err := OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

func mustWrite(t *testing.T, s Store, u Unit, up Update) {
	t.Helper()
	if err := s.Write(context.Background(), u, up); err != nil {
		t.Fatalf("Write(%s): %v", u, err)
	}
}

func TestFileStoreMissingFileIsEmpty(t *testing.T) {
	s, path := openTemp(t)
	units, err := s.List(context.Background())
	if err != nil || len(units) != 0 {
		t.Fatalf("List = %v, %v; want no units", units, err)
	}
	_, err = s.Read(context.Background(), unitA)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Read of a missing record: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reading created the file: %v", err)
	}
}

func TestFileStoreMerge(t *testing.T) {
	s, _ := openTemp(t)
	steps := []struct {
		name string
		up   Update
		want Record
	}{
		{"first write creates the record",
			Update{Values: map[Type]string{APIToken: "glpat-first"}},
			Record{unitA, map[Type]string{APIToken: "glpat-first"}, 0}},
		{"other type and runner id are added",
			Update{Values: map[Type]string{RunnerToken: "glrt-one"}, RunnerID: 7},
			Record{unitA, map[Type]string{APIToken: "glpat-first", RunnerToken: "glrt-one"}, 7}},
		{"runner id alone keeps the values",
			Update{RunnerID: 8},
			Record{unitA, map[Type]string{APIToken: "glpat-first", RunnerToken: "glrt-one"}, 8}},
		{"a value is replaced, zero runner id keeps the id",
			Update{Values: map[Type]string{APIToken: "glpat-second",
				WebhookSecret: "hook-secret-1"}},
			Record{unitA, map[Type]string{APIToken: "glpat-second", RunnerToken: "glrt-one",
				WebhookSecret: "hook-secret-1"}, 8}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			mustWrite(t, s, unitA, st.up)
			got, err := s.Read(context.Background(), unitA)
			if err != nil {
				t.Fatal(err)
			}
			if got.Unit != st.want.Unit || got.RunnerID != st.want.RunnerID ||
				!maps.Equal(got.Values, st.want.Values) {
				t.Errorf("record = %+v, want %+v", *got, st.want)
			}
		})
	}
}

func TestFileStoreFileContent(t *testing.T) {
	s, path := openTemp(t)
	mustWrite(t, s, unitA, Update{Values: map[Type]string{
		WebhookSecret: "hook-secret-1", APIToken: "glpat-abc"}, RunnerID: 42})
	mustWrite(t, s, unitB, Update{Values: map[Type]string{APIToken: "glpat-def"}})

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "format_version": 1,
  "records": [
    {
      "server": "127.0.0.1:8080",
      "egg": "app-b",
      "secrets": {
        "api-token": "glpat-def"
      }
    },
    {
      "server": "gitlab.com",
      "egg": "app-a",
      "runner_id": 42,
      "secrets": {
        "api-token": "glpat-abc",
        "webhook-secret": "hook-secret-1"
      }
    }
  ]
}
`
	if string(data) != want {
		t.Errorf("file content:\n%s\nwant:\n%s", data, want)
	}
	checkOwnerOnly(t, path)
}

func TestFileStoreReplacesOwnerOnlyFile(t *testing.T) {
	// A write gives 0600 whatever mode the old file had: it is replaced, not
	// rewritten in place.
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, []byte(`{"format_version": 1}`), 0o400); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, mustOpen(t, path), unitA, Update{RunnerID: 1})
	checkOwnerOnly(t, path)
}

// checkOwnerOnly fails the test unless the file's mode is 0600.
func checkOwnerOnly(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %04o, want 0600", info.Mode().Perm())
	}
}

func TestFileStoreDelete(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mustWrite(t, s, unitA, Update{RunnerID: 1})
	mustWrite(t, s, unitB, Update{RunnerID: 2})
	if err := s.Delete(ctx, unitA); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(ctx, unitA); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, unitA); err != nil {
		t.Errorf("second Delete: %v, want no error", err)
	}
	units, err := s.List(ctx)
	if err != nil || len(units) != 1 || units[0] != unitB {
		t.Errorf("List = %v, %v; want [%s]", units, err, unitB)
	}
}

func TestFileStoreListSorted(t *testing.T) {
	s, _ := openTemp(t)
	for _, u := range []Unit{{"b.example", "z"}, {"a.example", "y"}, {"b.example", "a"}} {
		mustWrite(t, s, u, Update{RunnerID: 1})
	}
	units, err := s.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Unit{{"a.example", "y"}, {"b.example", "a"}, {"b.example", "z"}}
	if fmt.Sprint(units) != fmt.Sprint(want) {
		t.Errorf("List = %v, want %v", units, want)
	}
}

func TestFileStoreReadReturnsCopy(t *testing.T) {
	s, _ := openTemp(t)
	mustWrite(t, s, unitA, Update{Values: map[Type]string{APIToken: "glpat-abc"}})
	rec, _ := s.Read(context.Background(), unitA)
	rec.Values[APIToken] = "changed"
	again, _ := s.Read(context.Background(), unitA)
	if again.Values[APIToken] != "glpat-abc" {
		t.Errorf("changing a read record changed the store: %q", again.Values[APIToken])
	}
}

func TestFileStoreRejectsBadWrites(t *testing.T) {
	s, path := openTemp(t)
	cases := []struct {
		name string
		u    Unit
		up   Update
		want string
	}{
		{"empty update", unitA, Update{}, "empty update"},
		{"empty value", unitA, Update{Values: map[Type]string{APIToken: ""}}, "empty value"},
		{"short value", unitA, Update{Values: map[Type]string{APIToken: "1234567"}},
			"api-token is 7 characters long"},
		{"unknown type", unitA, Update{Values: map[Type]string{"password": "x"}},
			"unknown secret type"},
		{"negative runner id", unitA, Update{RunnerID: -1}, "not positive"},
		{"bad egg", Unit{"gitlab.com", "Bad"}, Update{RunnerID: 1}, "egg"},
		{"bad server", Unit{"https://gitlab.com", "a"}, Update{RunnerID: 1}, "server"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Write(context.Background(), tc.u, tc.up)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write = %v, want an error saying %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused write created the file: %v", err)
	}
}

func TestFileStoreReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	s, err := OpenFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Write(ctx, unitA, Update{RunnerID: 1}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write: %v, want ErrReadOnly", err)
	}
	if err := s.Delete(ctx, unitA); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Delete: %v, want ErrReadOnly", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 0 {
		t.Errorf("read-only store left files: %v", entries)
	}
}

func TestFileStoreRefusesFiles(t *testing.T) {
	good := `{"format_version": 1, "records": []}`
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"group readable", good, 0o640, "chmod 600"},
		{"world readable", good, 0o604, "mode 0604"},
		{"not json", "secrets", 0o600, "invalid character"},
		{"unknown field", `{"format_version": 1, "recs": []}`, 0o600, "unknown field"},
		{"no format version", `{"records": []}`, 0o600, "format_version is 0"},
		{"newer format", `{"format_version": 2}`, 0o600, "format_version is 2"},
		{"two documents", good + good, 0o600, "data after"},
		{"unknown type", `{"format_version": 1, "records": [{"server": "a.b", "egg": "e",
			"secrets": {"api_token": "x"}}]}`, 0o600, "record 1: a.b/e: unknown secret type"},
		{"empty value", `{"format_version": 1, "records": [{"server": "a.b", "egg": "e",
			"secrets": {"api-token": ""}}]}`, 0o600, "empty value"},
		{"short value", `{"format_version": 1, "records": [{"server": "a.b", "egg": "e",
			"secrets": {"webhook-secret": "abc"}}]}`, 0o600, "at least 8 to mask it"},
		{"bad egg", `{"format_version": 1, "records": [{"server": "a.b", "egg": "E"}]}`,
			0o600, "record 1: egg"},
		{"duplicate", `{"format_version": 1, "records": [{"server": "a.b", "egg": "e"},
			{"server": "a.b", "egg": "e"}]}`, 0o600, "record 2: second record for a.b/e"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.mode&0o077 != 0 && runtime.GOOS == "windows" {
				t.Skip("no permission bits on windows")
			}
			path := filepath.Join(t.TempDir(), "secrets.json")
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(path, tc.mode) // the umask may have cleared bits
			_, err := OpenFile(path, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("OpenFile = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestFileStoreAcceptsEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, unitA, Update{RunnerID: 3})
	rec, err := s.Read(context.Background(), unitA)
	if err != nil || rec.RunnerID != 3 {
		t.Errorf("Read = %+v, %v; want runner 3", rec, err)
	}
}

func TestFileStoreLeavesNoTempFiles(t *testing.T) {
	s, path := openTemp(t)
	for i := range 20 {
		mustWrite(t, s, unitA, Update{RunnerID: int64(i + 1)})
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "secrets.json secrets.json.lock" {
		t.Errorf("directory holds %q, want the file and its lock", got)
	}
}

func TestFileStoreSeesOtherWriters(t *testing.T) {
	a, path := openTemp(t)
	b, err := OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustWrite(t, a, unitA, Update{RunnerID: 1})
	if _, err := b.Read(ctx, unitA); err != nil {
		t.Fatalf("second store does not see the first one's write: %v", err)
	}
	mustWrite(t, b, unitB, Update{RunnerID: 2})
	mustWrite(t, a, unitA, Update{RunnerID: 3}) // must merge onto b's version
	units, err := b.List(ctx)
	if err != nil || len(units) != 2 {
		t.Errorf("List = %v, %v; want both units", units, err)
	}
}

func TestFileStoreFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	mustWrite(t, mustOpen(t, target), unitA, Update{RunnerID: 1})
	s := mustOpen(t, link)
	mustWrite(t, s, unitB, Update{RunnerID: 2})
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v", err)
	}
	units, err := mustOpen(t, target).List(context.Background())
	if err != nil || len(units) != 2 {
		t.Errorf("target holds %v, %v; want both units", units, err)
	}
}

func mustOpen(t *testing.T, path string) *FileStore {
	t.Helper()
	s, err := OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFileStoreConcurrentWriters(t *testing.T) {
	_, path := openTemp(t)
	const perWriter = 20
	var wg sync.WaitGroup
	const writers = 4
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		s := mustOpen(t, path) // one store each, as two processes would have
		wg.Go(func() {
			for i := range perWriter {
				u := Unit{"gitlab.com", fmt.Sprintf("w%d-e%d", w, i)}
				errs <- s.Write(context.Background(), u, Update{RunnerID: int64(i + 1)})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	units, err := mustOpen(t, path).List(context.Background())
	if err != nil || len(units) != writers*perWriter {
		t.Errorf("%d units survive, want %d (err %v)", len(units), writers*perWriter, err)
	}
}

// TestFileStoreConcurrentProcesses runs two copies of the test binary that
// write to one file at once; neither may lose the other's records.
func TestFileStoreConcurrentProcesses(t *testing.T) {
	if os.Getenv("SECRETS_TEST_WRITER") != "" {
		t.Skip("inside a writer")
	}
	_, path := openTemp(t)
	const perWriter = 30
	var cmds []*exec.Cmd
	for w := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFileStoreWriterProcess$")
		cmd.Env = append(os.Environ(), "SECRETS_TEST_WRITER="+path,
			fmt.Sprintf("SECRETS_TEST_WRITER_ID=%d", w))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	units, err := mustOpen(t, path).List(context.Background())
	if err != nil || len(units) != 2*perWriter {
		t.Errorf("%d units survive, want %d (err %v)", len(units), 2*perWriter, err)
	}
}

func TestFileStoreWriterProcess(t *testing.T) {
	path := os.Getenv("SECRETS_TEST_WRITER")
	if path == "" {
		t.Skip("run by TestFileStoreConcurrentProcesses")
	}
	s := mustOpen(t, path)
	id := os.Getenv("SECRETS_TEST_WRITER_ID")
	for i := range 30 {
		u := Unit{"gitlab.com", fmt.Sprintf("p%s-e%d", id, i)}
		mustWrite(t, s, u, Update{Values: map[Type]string{APIToken: "glpat-" + u.Egg}})
	}
}

func TestFileStoreLockTimeout(t *testing.T) {
	s, path := openTemp(t)
	mustWrite(t, s, unitA, Update{RunnerID: 1})
	holder := mustOpen(t, path)
	unlock, err := holder.lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	s.lockWait = 50 * time.Millisecond
	err = s.Write(context.Background(), unitA, Update{RunnerID: 2})
	if err == nil || !strings.Contains(err.Error(), "another hatchery holds") {
		t.Errorf("Write under a held lock: %v, want a lock error", err)
	}
	// Reading takes no lock: a plan never waits for an apply.
	rec, err := s.Read(context.Background(), unitA)
	if err != nil || rec.RunnerID != 1 {
		t.Errorf("Read under a held lock = %+v, %v", rec, err)
	}
}

func TestFileStoreLockHonoursContext(t *testing.T) {
	s, path := openTemp(t)
	unlock, err := mustOpen(t, path).lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = s.Write(ctx, unitA, Update{RunnerID: 2})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a cancelled context: %v, want context.Canceled", err)
	}
}
