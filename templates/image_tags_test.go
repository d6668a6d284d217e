package templates

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// .ci/image-tags moves X.Y, X and latest only to the newest release of
// each: a backport must not take them backwards.
func TestImageTagsMoveOnlyForward(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run .ci/image-tags with")
	}
	tests := []struct {
		tag      string
		existing []string
		want     []string
	}{
		{"1.0.0", nil, []string{"1.0.0", "1.0", "1", "latest"}},
		{"1.2.4", []string{"1.2.3", "1.1.0"}, []string{"1.2.4", "1.2", "1", "latest"}},
		{"1.4.7", []string{"1.4.6", "2.0.0"}, []string{"1.4.7", "1.4", "1"}},
		{"1.4.7", []string{"1.5.0", "2.0.0"}, []string{"1.4.7", "1.4"}},
		{"1.4.7", []string{"1.4.8"}, []string{"1.4.7"}},
		// Numbers, not strings: 1.10 is newer than 1.9.
		{"1.9.1", []string{"1.10.0"}, []string{"1.9.1", "1.9"}},
		{"1.10.1", []string{"1.9.9", "10.0.0"}, []string{"1.10.1", "1.10", "1"}},
		// Tags that are not releases move nothing and count for nothing.
		{"2.0.0", []string{"v9.0.0", "3.0.0-rc.1", "main"},
			[]string{"2.0.0", "2.0", "2", "latest"}},
		{"v1.2.3", []string{"1.0.0"}, []string{"v1.2.3"}},
		// A tag pushed again.
		{"1.2.3", []string{"1.2.3"}, []string{"1.2.3", "1.2", "1", "latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.tag+"/"+strings.Join(tt.existing, ","), func(t *testing.T) {
			cmd := exec.Command(bash, "../.ci/image-tags", tt.tag)
			cmd.Stdin = strings.NewReader(strings.Join(tt.existing, "\n") + "\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf(".ci/image-tags: %v", err)
			}
			if got := strings.Fields(string(out)); !slices.Equal(got, tt.want) {
				t.Errorf("tags %v, want %v", got, tt.want)
			}
		})
	}
}

// The image job takes its tags from .ci/image-tags, never latest or X.Y
// by itself.
func TestOwnPipelineTagsImagesByImageTags(t *testing.T) {
	_, p := readOwnPipeline(t)
	script := strings.Join(p.Image.Script, "\n")
	if !strings.Contains(script, ".ci/image-tags \"$CI_COMMIT_TAG\"") {
		t.Errorf("the image job does not tag releases with .ci/image-tags:\n%s", script)
	}
	if strings.Contains(script, ":latest") || strings.Contains(script, "minor") {
		t.Errorf("the image job moves tags by itself:\n%s", script)
	}
}
