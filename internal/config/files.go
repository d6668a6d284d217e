package config

// Finding and reading the files of a nest. The rules:
//
//   - Every *.fly file below the nest's directory belongs to the nest, except
//     below hidden directories and hidden files (a name starting with a dot),
//     which are skipped: .git, editors' backups.
//   - Symbolic links are followed, to files and to directories, as Terraform
//     follows them, as long as their target lies inside the Git work tree
//     that holds the nest (or inside the nest, when it is in none). A link
//     that leaves it is an error: a nest in a merge request must not make
//     hatchery read, and print in a diagnostic, a file of the machine it
//     runs on.
//   - Each file and directory is read once: the nest's own directories
//     first, then what links add. A link to something already read, a loop
//     included, adds nothing and loses nothing, so it is passed over quietly.
//   - Only regular files of at most MaxFileSize bytes are read: a device, a
//     named pipe or a huge file would hang hatchery or exhaust its memory.
//   - No .fly file is ever left out silently: each one that cannot be read
//     is an error diagnostic that names it and says what to do.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Ext is the extension of the files that make a nest.
const Ext = ".fly"

// MaxFileSize is the most bytes hatchery reads from one .fly file, 4 MiB:
// a nest of a thousand eggs is far smaller.
const MaxFileSize = 4 << 20

// Files returns the .fly files below dir, relative to it with forward
// slashes, sorted, and a diagnostic for every .fly file or symbolic link
// that it leaves out (see the rules at the top of this file). The error is
// for a dir that cannot be read at all.
func Files(dir string) ([]string, hcl.Diagnostics, error) {
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return nil, nil, fmt.Errorf("find .fly files in %s: not a directory", dir)
	}
	root, err := realPath(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("find .fly files in %s: %w", dir, err)
	}
	w := &walker{dir: dir, bound: root, seen: map[string]bool{}}
	if repo := workTree(root); repo != "" {
		w.bound, w.inRepo = repo, true
	}
	if err := w.walk("", root); err != nil {
		return nil, nil, fmt.Errorf("find .fly files in %s: %w", dir, err)
	}
	for len(w.links) > 0 {
		name := w.links[0]
		w.links = w.links[1:]
		w.link(name)
	}
	slices.Sort(w.files)
	return w.files, w.diags, nil
}

// walker lists a nest's files and follows its symbolic links.
type walker struct {
	dir    string // the nest as given
	bound  string // the real path that links may not leave
	inRepo bool   // bound is a Git work tree, not the nest
	seen   map[string]bool
	links  []string // links found, to follow once the nest's own tree is read
	files  []string
	diags  hcl.Diagnostics
}

// walk lists the directory rel (relative to the nest, slash-separated),
// whose real path is real, unless it was read already. Only the nest's own
// directory is an error.
func (w *walker) walk(rel, real string) error {
	if w.seen[real] {
		return nil
	}
	w.seen[real] = true
	entries, err := os.ReadDir(filepath.Join(w.dir, filepath.FromSlash(rel)))
	if err != nil {
		if rel == "" {
			return err
		}
		w.problem(hcl.DiagError, "Cannot read directory", "Cannot list %s: %v. "+
			"Its .fly files are not read; make it readable or remove it.", rel, unwrapPath(err))
		return nil
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := path.Join(rel, e.Name())
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			w.links = append(w.links, name)
		case e.IsDir():
			_ = w.walk(name, filepath.Join(real, e.Name())) // only the nest's own fails
		case strings.HasSuffix(name, Ext):
			w.file(name, filepath.Join(real, e.Name()), e.Type())
		}
	}
	return nil
}

// link follows the symbolic link name when its target lies inside bound.
func (w *walker) link(name string) {
	isFly := strings.HasSuffix(name, Ext)
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	target, _ := os.Readlink(p)
	real, err := realPath(p)
	if err != nil {
		if isFly {
			w.problem(hcl.DiagError, "Cannot read file", "The symbolic link %s points to %s, "+
				"which cannot be followed: %v. Fix the link or remove it.", name, target,
				unwrapPath(err))
		}
		return
	}
	info, err := os.Stat(real)
	if err != nil || (!info.IsDir() && !isFly) {
		return // not a directory, and not a .fly file either
	}
	if !within(w.bound, real) {
		where := "the nest"
		if w.inRepo {
			where = "the Git work tree that holds the nest"
		}
		w.problem(hcl.DiagError, "Link leaves the nest", "The symbolic link %s points to %s, "+
			"outside %s. hatchery follows no link out of it, so that a nest cannot make it "+
			"read a file of the machine it runs on: copy what the link points to into %s.",
			name, target, where, where)
		return
	}
	if info.IsDir() {
		_ = w.walk(name, real) // never the nest's own directory
		return
	}
	w.file(name, real, info.Mode().Type())
}

// file lists the .fly file name, whose real path is real and whose type
// is typ, if it is a regular file not listed already.
func (w *walker) file(name, real string, typ fs.FileMode) {
	if !typ.IsRegular() {
		w.problem(hcl.DiagError, "Not a regular file", "%s.", capitalize(notRegular(name, typ)))
		return
	}
	if w.seen[real] {
		return
	}
	w.seen[real] = true
	w.files = append(w.files, name)
}

// realPath returns p absolute, with every symbolic link resolved.
func realPath(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}

// workTree returns the Git work tree that holds the real directory dir: the
// nearest directory at or above it with a .git entry, or "" when none has.
func workTree(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// within reports whether the real path p is dir or lies below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (w *walker) problem(sev hcl.DiagnosticSeverity, summary, format string, args ...any) {
	w.diags = append(w.diags, &hcl.Diagnostic{Severity: sev, Summary: summary,
		Detail: fmt.Sprintf(format, args...)})
}

// ReadFile reads the .fly file name (as Files returns it) of the nest in
// dir. It refuses anything but a regular file, and a file larger than
// MaxFileSize, with an error that says what to do. The type is checked
// before the file is opened, as opening a named pipe would block, and again
// on the open file, in case it was replaced in between.
func ReadFile(dir, name string) ([]byte, error) {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if info, err := os.Stat(p); err == nil && !info.Mode().IsRegular() {
		return nil, errors.New(notRegular(name, info.Mode().Type()))
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New(notRegular(name, info.Mode().Type()))
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, unwrapPath(err))
	}
	if len(src) > MaxFileSize {
		return nil, fmt.Errorf("file %s is larger than %d MiB, the most hatchery reads from one "+
			".fly file: split it into smaller .fly files", name, MaxFileSize>>20)
	}
	return src, nil
}

// notRegular says that name, of type typ, is not read, and what to do.
func notRegular(name string, typ fs.FileMode) string {
	kind := "not a regular file"
	switch {
	case typ&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case typ&fs.ModeCharDevice != 0, typ&fs.ModeDevice != 0:
		kind = "a device"
	case typ&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Sprintf("file %s is %s; hatchery reads only regular .fly files: replace it "+
		"with a regular file, or rename it so that its name does not end in .fly",
		name, kind)
}

// unwrapPath drops the absolute path that os errors carry: messages name
// files relative to the nest.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
