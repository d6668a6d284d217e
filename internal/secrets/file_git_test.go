package secrets

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUnignoredRepo(t *testing.T) {
	cases := []struct {
		name      string
		gitignore map[string]string // directory (relative) -> content
		git       bool
		want      bool // warned
	}{
		{"outside any repository", nil, false, false},
		{"in a repository, not ignored", nil, true, true},
		{"ignored by name", map[string]string{".": "*.log\n.secrets.json\n"}, true, false},
		{"ignored by a glob", map[string]string{".": "*.json\n"}, true, false},
		{"ignored by its directory", map[string]string{".": "nest/\n"}, true, false},
		{"ignored next to it", map[string]string{"nest": ".secrets.json\n"}, true, false},
		{"anchored elsewhere", map[string]string{".": "other/.secrets.json\n"}, true, true},
		{"negation is not ignoring", map[string]string{".": "!.secrets.json\n"}, true, true},
		{"ignored by **/", map[string]string{".": "**/.secrets.json\n"}, true, false},
		{"ignored by dir/**", map[string]string{".": "nest/**\n"}, true, false},
		{"ignored by info/exclude", map[string]string{".git/info": ".secrets.json\n"}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.git {
				if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for dir, content := range tc.gitignore {
				d := filepath.Join(root, dir)
				os.MkdirAll(d, 0o755)
				name := ".gitignore"
				if dir == ".git/info" {
					name = "exclude"
				}
				if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := OpenFile(filepath.Join(root, "nest", ".secrets.json"), false)
			if err != nil {
				t.Fatal(err)
			}
			got := s.UnignoredRepo()
			if (got != "") != tc.want {
				t.Errorf("UnignoredRepo = %q, want warned=%v", got, tc.want)
			}
			if got != "" && got != root {
				t.Errorf("UnignoredRepo = %q, want the root %q", got, root)
			}
		})
	}
}
