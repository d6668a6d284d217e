package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestLeakCheckFails proves the leak check can fail: each script in
// testdata/leak copies a stored secret into a file and must not pass.
func TestLeakCheckFails(t *testing.T) {
	files, err := filepath.Glob("../../testdata/leak/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no leak scripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			p := scriptParams("")
			p.Dir, p.Files = "", []string{file}
			r := &recordingT{}
			testscript.RunT(r, p)
			if !r.failed() {
				t.Fatal("a script that leaked a stored secret passed")
			}
			if !strings.Contains(r.messages(), "leaked into") {
				t.Fatalf("failure does not name the leak:\n%s", r.messages())
			}
			if strings.Contains(r.messages(), "glpat-leakcheck-0123456789") {
				t.Fatal("the leak report itself prints the secret")
			}
		})
	}
}

// recordingT runs scripts like testing.T but records failures instead of
// failing the test that holds it.
type recordingT struct {
	mu     sync.Mutex
	fails  bool
	logged strings.Builder
}

func (r *recordingT) Skip(args ...any) { r.Log(args...); runtime.Goexit() }
func (r *recordingT) Fatal(args ...any) {
	r.Log(args...)
	r.FailNow()
}
func (r *recordingT) Parallel() {}
func (r *recordingT) Log(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(&r.logged, args...)
}
func (r *recordingT) FailNow() {
	r.mu.Lock()
	r.fails = true
	r.mu.Unlock()
	runtime.Goexit()
}
func (r *recordingT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}
func (r *recordingT) Verbose() bool { return false }

func (r *recordingT) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fails
}

func (r *recordingT) messages() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logged.String()
}
