package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
)

// EnvOverride names the environment variable that replaces the nest's secret
// backend: HATCHERY_SECRETS=file:PATH.
const EnvOverride = "HATCHERY_SECRETS"

// Backend names.
const (
	BackendLockbox = "lockbox" // the default
	BackendFile    = "file"
)

// Config says where a nest's secret records live: the nest's
// hatchery { secrets { … } } block, plus how the caller means to use them.
type Config struct {
	Backend  string // BackendLockbox (also when empty) or BackendFile
	FolderID string // lockbox: the folder that holds the records
	Path     string // file: the JSON file; a relative path starts at Dir
	Dir      string // the nest's root directory
	ReadOnly bool   // plan: Write and Delete fail with ErrReadOnly
	// Logger takes a debug record of every remote call; nil logs nothing.
	Logger *slog.Logger
}

// Open opens the store that c names, unless HATCHERY_SECRETS (read through
// getenv) overrides it. The Lockbox backend finds its credentials and
// endpoints through getenv too (see credentials.go). A file path from the
// environment is relative to the working directory, one from the nest to the
// nest's root.
func Open(ctx context.Context, c Config, getenv func(string) string) (Store, error) {
	if v := getenv(EnvOverride); v != "" {
		path, err := parseOverride(v)
		if err != nil {
			return nil, err
		}
		return OpenFile(path, c.ReadOnly)
	}
	switch c.Backend {
	case BackendLockbox, "":
		return openLockbox(ctx, c, getenv)
	case BackendFile:
		if c.Path == "" {
			return nil, fmt.Errorf("secrets backend %q needs a path", BackendFile)
		}
		path := c.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.Dir, path)
		}
		return OpenFile(path, c.ReadOnly)
	}
	return nil, fmt.Errorf("unknown secrets backend %q: want %q or %q",
		c.Backend, BackendLockbox, BackendFile)
}

// parseOverride reads HATCHERY_SECRETS; file:PATH is its one form.
func parseOverride(v string) (string, error) {
	path, ok := strings.CutPrefix(v, BackendFile+":")
	if !ok || path == "" {
		return "", fmt.Errorf("%s=%q: want file:PATH, a JSON file of secret records",
			EnvOverride, v)
	}
	return path, nil
}
