//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package secrets

import (
	"errors"
	"os"
	"runtime"
)

// tryLock fails: this platform has no flock, and writing the file without a
// lock could lose another process's update. The file backend is read-only
// here until someone needs it and adds the platform's own locking.
func tryLock(f *os.File) (ok bool, err error) {
	return false, errors.New("file locking is not supported on " + runtime.GOOS)
}
