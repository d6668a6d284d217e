//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe ending in .fly is refused by Files, and by ReadFile without
// opening it: the open would block until something writes to the pipe.
func TestFilesRefusesNamedPipe(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.fly"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "p.fly"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	files, diags, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0] != "a.fly" {
		t.Errorf("Files = %q, want only a.fly", files)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "p.fly is a named pipe") {
		t.Errorf("diagnostics = %v, want one that names the pipe", diags)
	}
	_, err = ReadFile(dir, "p.fly")
	if err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("ReadFile(p.fly) = %v, want a named pipe error", err)
	}
}
