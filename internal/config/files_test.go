package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		size int
		err  string
	}{
		{"empty.fly", 0, ""},
		{"at-limit.fly", MaxFileSize, ""},
		{"over-limit.fly", MaxFileSize + 1, "file over-limit.fly is larger than 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bytes.Repeat([]byte(" "), tt.size)
			if err := os.WriteFile(filepath.Join(dir, tt.name), src, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(dir, tt.name)
			switch {
			case tt.err == "" && (err != nil || len(got) != tt.size):
				t.Errorf("ReadFile = %d bytes, %v; want %d bytes", len(got), err, tt.size)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("ReadFile error = %v, want one saying %q", err, tt.err)
			}
		})
	}
}
