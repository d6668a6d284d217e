package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	nest := filepath.Join(dir, "nest")
	if err := os.Mkdir(nest, 0o700); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "abs.json")
	cases := []struct {
		name string
		c    Config
		env  string
		want string // String() of the store, or the error
	}{
		{"override wins over lockbox", Config{}, "file:" + abs, "file:" + abs},
		{"override wins over the nest's file", Config{Backend: "file", Path: "x.json"},
			"file:" + abs, "file:" + abs},
		{"file relative to the nest", Config{Backend: "file", Path: "s.json", Dir: nest},
			"", "file:" + filepath.Join(nest, "s.json")},
		{"absolute file", Config{Backend: "file", Path: abs, Dir: nest}, "",
			"file:" + abs},
		{"default is lockbox, which needs a folder", Config{}, "",
			`secrets backend "lockbox" needs a folder`},
		{"lockbox by name, without credentials", Config{Backend: "lockbox", FolderID: "b1g"},
			"", "no Yandex Cloud credentials"},
		{"file without a path", Config{Backend: "file"}, "", "needs a path"},
		{"unknown backend", Config{Backend: "vault"}, "",
			`unknown secrets backend "vault": want "lockbox" or "file"`},
		{"override of another kind", Config{}, "lockbox:b1g",
			`HATCHERY_SECRETS="lockbox:b1g": want file:PATH`},
		{"override without a path", Config{}, "file:", "want file:PATH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == EnvOverride {
					return tc.env
				}
				return ""
			}
			s, err := Open(t.Context(), tc.c, getenv)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = s.String()
				s.Close()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("Open = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOpenLockboxWithoutCredentials(t *testing.T) {
	_, err := Open(t.Context(), Config{FolderID: "b1g"}, func(string) string { return "" })
	if !errors.Is(err, ErrNoCredentials) {
		t.Errorf("Open of lockbox: %v, want ErrNoCredentials", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	s, err := Open(t.Context(), Config{ReadOnly: true},
		func(string) string { return "file:" + path })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), unitA, Update{RunnerID: 1}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write on a read-only open: %v, want ErrReadOnly", err)
	}
}
