package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validEgg = `egg "my-app" {
  gitlab {
    server     = "gitlab.com"
    project_id = 12345
  }
}
`

// run calls Main in-process with the working directory's files given as
// name/content pairs under a fresh directory, and returns the exit code,
// stdout and stderr.
func run(t *testing.T, files map[string]string, env map[string]string, tty bool,
	args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "$DIR", dir)
	}
	var stdout, stderr bytes.Buffer
	code := Main(args, &Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return env[k] }, StderrTTY: tty,
	})
	return code, stdout.String(), stderr.String()
}

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		want  int
	}{
		{"valid nest", map[string]string{"a.fly": validEgg}, nil, ExitOK},
		{"both ids", map[string]string{"a.fly": strings.Replace(validEgg,
			"12345", "12345\n    group_id = 1", 1)}, nil, ExitInvalid},
		{"unknown argument", map[string]string{"a.fly": strings.Replace(validEgg,
			"project_id", "id", 1)}, nil, ExitInvalid},
		{"syntax error", map[string]string{"a.fly": "egg \"x\" {\n"}, nil, ExitInvalid},
		{"duplicate across files", map[string]string{"a.fly": validEgg, "b/c.fly": validEgg},
			nil, ExitInvalid},
		{"token", map[string]string{"a.fly": strings.Replace(validEgg, "}\n}",
			"}\n  # glpat-ABCDEFGHIJKLMNOPQRST\n}", 1)}, nil, ExitInvalid},
		{"empty nest", map[string]string{"notes.md": "x"}, nil, ExitInvalid},
		{"missing directory", nil, []string{"$DIR/nowhere"}, ExitError},
		{"two directories", map[string]string{"a.fly": validEgg}, []string{"$DIR", "$DIR"},
			ExitUsage},
		{"unknown flag", map[string]string{"a.fly": validEgg}, []string{"--bogus", "$DIR"},
			ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"validate"}, tt.args...)
			if tt.args == nil {
				args = append(args, "$DIR")
			}
			code, stdout, stderr := run(t, tt.files, nil, false, args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.want, stdout, stderr)
			}
			if (code == ExitOK) != strings.HasPrefix(stdout, "Success!") {
				t.Errorf("stdout = %q", stdout)
			}
			if code != ExitOK && !strings.Contains(stderr, "hatchery: error: ") {
				t.Errorf("stderr lacks the error line: %q", stderr)
			}
		})
	}
}

func TestValidateColor(t *testing.T) {
	files := map[string]string{"a.fly": strings.Replace(validEgg, "project_id", "id", 1)}
	tests := []struct {
		name  string
		tty   bool
		env   map[string]string
		color bool
	}{
		{"terminal", true, nil, true},
		{"terminal with NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"pipe", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, files, tt.env, tt.tty, "validate", "$DIR")
			if code != ExitInvalid {
				t.Fatalf("exit %d", code)
			}
			if got := strings.Contains(stderr, "\x1b["); got != tt.color {
				t.Errorf("styled = %v, want %v:\n%q", got, tt.color, stderr)
			}
		})
	}
}

func TestFmtExitCodes(t *testing.T) {
	messy := strings.ReplaceAll(validEgg, "     = ", " = ")
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		want  int
		same  bool // the file is left as it was
	}{
		{"check clean", map[string]string{"a.fly": validEgg}, []string{"--check"}, ExitOK, true},
		{"check messy", map[string]string{"a.fly": messy}, []string{"--check"}, ExitError, true},
		{"diff messy", map[string]string{"a.fly": messy}, []string{"--check", "--diff"},
			ExitError, true},
		{"rewrite messy", map[string]string{"a.fly": messy}, nil, ExitOK, false},
		{"syntax error", map[string]string{"a.fly": messy + "egg {\n"}, nil, ExitInvalid, true},
		{"empty nest", nil, nil, ExitOK, true},
		{"unknown flag", map[string]string{"a.fly": messy}, []string{"--fix"}, ExitUsage, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"fmt"}, tt.args...), "$DIR")
			dirArg := len(args) - 1
			code, stdout, stderr := run(t, tt.files, nil, false, args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.want, stdout, stderr)
			}
			if tt.files["a.fly"] == "" {
				return
			}
			got, err := os.ReadFile(filepath.Join(args[dirArg], "a.fly"))
			if err != nil {
				t.Fatal(err)
			}
			if same := string(got) == tt.files["a.fly"]; same != tt.same {
				t.Errorf("file unchanged = %v, want %v:\n%s", same, tt.same, got)
			}
			if !tt.same && string(got) != validEgg {
				t.Errorf("formatted file:\n%s\nwant:\n%s", got, validEgg)
			}
		})
	}
}
