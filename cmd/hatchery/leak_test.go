package main

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// transcriptVar names the file where the hatchery command of a script
// appends a copy of everything it prints.
const transcriptVar = "HATCHERY_TEST_TRANSCRIPT"

// checkLeaks arranges for every script to fail if a secret from any secret
// store in its work directory shows up in what hatchery printed, or in a
// file that appeared or changed while the script ran (plan files, rewritten
// .fly files). Secret stores themselves are where secrets belong. A file
// counts as changed when its content differs from the snapshot taken at
// setup: modification times can tie with, or even fall before, the
// moment setup ended.
func checkLeaks(e *testscript.Env) {
	transcript := filepath.Join(e.WorkDir, ".transcript")
	e.Setenv(transcriptVar, transcript)
	before := snapshot(e.WorkDir)
	e.Defer(func() {
		values, stores := storedSecrets(e.WorkDir)
		values = append(values, takeSimSecrets(e.WorkDir)...)
		if len(values) == 0 {
			return
		}
		check := func(name string, data []byte) {
			for _, v := range values {
				if bytes.Contains(data, []byte(v)) {
					e.T().Fatal("secret " + mask(v) + " leaked into " + name)
				}
			}
		}
		if data, err := os.ReadFile(transcript); err == nil {
			check("hatchery's output", data)
		}
		for path, sum := range snapshot(e.WorkDir) {
			if path == transcript || stores[path] || strings.HasSuffix(path, ".lock") ||
				before[path] == sum {
				continue
			}
			data, _ := os.ReadFile(path)
			check(path, data)
		}
	})
}

// snapshot maps every file below dir to the SHA-256 of its content.
func snapshot(dir string) map[string][sha256.Size]byte {
	sums := map[string][sha256.Size]byte{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if data, err := os.ReadFile(path); err == nil {
			sums[path] = sha256.Sum256(data)
		}
		return nil
	})
	return sums
}

// simSecrets holds, by work directory, the secrets that simulators of a
// script held when it ended; they must not leak either.
var simSecrets = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

func takeSimSecrets(dir string) []string {
	simSecrets.Lock()
	defer simSecrets.Unlock()
	v := simSecrets.m[dir]
	delete(simSecrets.m, dir)
	return v
}

// storedSecrets reads every file-backend secret store below dir: the
// secrets, and the stores' paths.
func storedSecrets(dir string) (values []string, stores map[string]bool) {
	stores = map[string]bool{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		if vs := storeValues(path); vs != nil {
			values = append(values, vs...)
			stores[path] = true
		}
		return nil
	})
	return values, stores
}

// storeValues lists the secrets of a file store; nil when path is not one.
func storeValues(path string) []string {
	recs, ok := fileRecords(path)
	if !ok {
		return nil
	}
	values := []string{}
	for _, r := range recs {
		for _, v := range r.Secrets {
			values = append(values, v)
		}
	}
	return values
}

// mask shows enough of a secret to find it in the test, not to use it.
func mask(v string) string {
	if len(v) > 6 {
		return v[:6] + "…"
	}
	return "…"
}
