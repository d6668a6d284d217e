package secrets

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// UnignoredRepo returns the root of the git work tree that holds the file
// store's file when no .gitignore between the file and that root names it,
// and "" otherwise. A secrets file there is one `git add -A` away from a
// commit. The check reads .gitignore files and .git/info/exclude as plain
// globs, with leading "**/" and trailing "/**" understood (no negation, no
// global excludes, no force-added files): good enough to warn, never to
// refuse.
func (s *FileStore) UnignoredRepo() string {
	file, err := filepath.Abs(s.path)
	if err != nil {
		return ""
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		rel, err := filepath.Rel(dir, file)
		if err == nil && ignoredBy(filepath.Join(dir, ".gitignore"), filepath.ToSlash(rel)) {
			return ""
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			if ignoredBy(filepath.Join(dir, ".git", "info", "exclude"),
				filepath.ToSlash(rel)) {
				return ""
			}
			return dir
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// ignoredBy reports whether a pattern of the .gitignore file matches rel
// (slash-separated, relative to the .gitignore's directory), the file's
// name, or one of the directories on the way.
func ignoredBy(gitignore, rel string) bool {
	f, err := os.Open(gitignore)
	if err != nil {
		return false
	}
	defer f.Close()
	parts := strings.Split(rel, "/")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pat := strings.TrimSpace(sc.Text())
		if pat == "" || strings.HasPrefix(pat, "#") || strings.HasPrefix(pat, "!") {
			continue
		}
		// "**/x" matches x in any directory, which is what an unanchored
		// "x" does; "x/**" matches everything below x, as "x/" does.
		pat = strings.TrimPrefix(pat, "**/")
		pat = strings.TrimSuffix(pat, "/**")
		anchored := strings.Contains(strings.TrimSuffix(pat, "/"), "/")
		pat = strings.Trim(pat, "/")
		for i := range parts {
			prefix := strings.Join(parts[:i+1], "/")
			if ok, _ := path.Match(pat, prefix); ok {
				return true
			}
			if ok, _ := path.Match(pat, parts[i]); ok && !anchored {
				return true
			}
		}
	}
	return false
}
