package templates

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runScript runs a job's script the way the runner does with a POSIX
// shell: the lines in order under `set -e`, with a stand-in hatchery on
// PATH that exits with code.
func runScript(t *testing.T, j Job, code int) int {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the script with")
	}
	bin := t.TempDir()
	fake := "#!/bin/sh\nexit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "hatchery"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, "-c", "set -e\n"+strings.Join(j.Script, "\n"))
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	for k, v := range j.Variables {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Logf("script output:\n%s", out)
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// The drift job turns plan's exit codes into a job result: 2 (drift)
// fails the job unless on_drift is "warn", where allow_failure lets exit
// 2 through as a warning; errors and an invalid nest fail it either way.
func TestDriftScriptExitCodes(t *testing.T) {
	tests := []struct {
		onDrift    string
		plan, want int
	}{
		{"fail", 0, 0},
		{"fail", 2, 1},
		{"fail", 1, 1},
		{"fail", 3, 3},
		{"warn", 0, 0},
		{"warn", 2, 2},
		{"warn", 1, 1},
		{"warn", 3, 3},
	}
	c := load(t)["drift"]
	for _, tt := range tests {
		t.Run(tt.onDrift+"/"+strconv.Itoa(tt.plan), func(t *testing.T) {
			drift := jobs(t, c, map[string]any{"on_drift": tt.onDrift})["hatchery:drift"]
			if got := runScript(t, drift, tt.plan); got != tt.want {
				t.Errorf("job exits %d, want %d", got, tt.want)
			}
		})
	}
}

// Every other job fails exactly when hatchery does.
func TestScriptsFailWithHatchery(t *testing.T) {
	js := jobs(t, load(t)[Full], nil)
	for _, name := range []string{"hatchery:validate", "hatchery:plan", "hatchery:apply"} {
		for _, code := range []int{0, 1, 3} {
			t.Run(name+"/"+strconv.Itoa(code), func(t *testing.T) {
				if got := runScript(t, js[name], code); (got == 0) != (code == 0) {
					t.Errorf("job exits %d when hatchery exits %d", got, code)
				}
			})
		}
	}
}

// Deletions wait for allow_delete, so drift that is deletions alone comes
// back every night: the job says that this is what it is.
func TestDriftScriptNamesWithheldDeletions(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the script with")
	}
	summary := func(create, update, del int) string {
		return fmt.Sprintf("{\n  \"format_version\": \"1.0\",\n"+
			"  \"summary\": {\n    \"units\": 3,\n"+
			"    \"create\": %d,\n    \"update\": %d,\n    \"delete\": %d,\n    \"errors\": 0,\n"+
			"    \"changes\": true\n  },\n  \"units\": []\n}\n", create, update, del)
	}
	tests := []struct {
		name string
		json string
		want bool
	}{
		{"deletions only", summary(0, 0, 2), true},
		{"deletions and creations", summary(1, 0, 2), false},
		{"updates", summary(0, 1, 0), false},
		{"no JSON", "", false},
	}
	drift := jobs(t, load(t)["drift"], nil)["hatchery:drift"]
	out := flagValue.FindStringSubmatch(strings.Join(drift.Script, "\n"))
	if out == nil || out[1] != "json" {
		t.Fatalf("drift script %q writes no --json", drift.Script)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin, dir := t.TempDir(), t.TempDir()
			fake := "#!/bin/sh\nexit 2\n"
			if tt.json != "" {
				fake = "#!/bin/sh\ncat >" + out[2] + " <<'END'\n" + tt.json + "END\nexit 2\n"
			}
			err := os.WriteFile(filepath.Join(bin, "hatchery"), []byte(fake), 0o755)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(sh, "-c", "set -e\n"+strings.Join(drift.Script, "\n"))
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
			for k, v := range drift.Variables {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			log, _ := cmd.CombinedOutput()
			said := strings.Contains(string(log), "the only drift is deletions")
			if said != tt.want {
				t.Errorf("says deletions alone: %v, want %v; log:\n%s", said, tt.want, log)
			}
			if !strings.Contains(string(log), "GitLab drifted from the nest") {
				t.Errorf("the job no longer fails on drift; log:\n%s", log)
			}
		})
	}
}
