package lockboxsim

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
)

// Secret is what a test sees of one stored secret.
type Secret struct {
	ID, Folder, Name, Description string
	Labels                        map[string]string
	KMSKeyID                      string
	Active                        bool
	Versions                      int
	Entries                       map[string]string // of the current version
}

// Secrets returns every secret, sorted by folder then name.
func (s *Server) Secrets() []Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Secret
	for _, sec := range s.secrets {
		v := Secret{ID: sec.id, Folder: sec.folder, Name: sec.name, Description: sec.desc,
			Labels: maps.Clone(sec.labels), KMSKeyID: sec.kmsKey,
			Active: sec.status == lockbox.Secret_ACTIVE, Versions: len(sec.versions),
			Entries: map[string]string{}}
		if sec.current != nil {
			for _, e := range sec.current.entries {
				v.Entries[e.key] = e.text + string(e.binary)
			}
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Secret) int {
		return cmp.Or(strings.Compare(a.Folder, b.Folder), strings.Compare(a.Name, b.Name))
	})
	return out
}

// Values returns every entry value of every version and every token the
// simulator knows: what must never show in hatchery's output.
func (s *Server) Values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, sec := range s.secrets {
		for _, v := range sec.versions {
			for _, e := range v.entries {
				out = append(out, e.text+string(e.binary))
			}
		}
	}
	for t := range s.tokens {
		out = append(out, t)
	}
	for t := range s.idTokens {
		out = append(out, t)
	}
	return out
}

// Seed stores a secret directly, as if someone had created it: for fixtures
// and benchmarks. It returns the secret's id.
func (s *Server) Seed(folder, name, desc string, labels, entries map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := &secret{id: s.newID("e6q"), folder: folder, name: name, desc: desc,
		labels: maps.Clone(labels), status: lockbox.Secret_ACTIVE, created: s.tick()}
	if len(entries) > 0 {
		var es []entry
		for k, v := range entries {
			es = append(es, entry{key: k, text: v})
		}
		slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		s.addVersion(sec, es)
	}
	s.secrets[sec.id] = sec
	return sec.id
}

// SetActive activates or deactivates a secret, as `yc lockbox secret
// deactivate` does; it reports whether the secret exists.
func (s *Server) SetActive(id string, active bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[id]
	if sec == nil {
		return false
	}
	sec.status = lockbox.Secret_INACTIVE
	if active {
		sec.status = lockbox.Secret_ACTIVE
	}
	return true
}

// DestroyCurrent marks the current version of a secret destroyed, so tests
// can see what a client makes of a payload that is gone; it reports whether
// the secret has a current version.
func (s *Server) DestroyCurrent(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[id]
	if sec == nil || sec.current == nil {
		return false
	}
	sec.current.status = lockbox.Version_DESTROYED
	return true
}

// SetKMSKey gives a secret its own KMS key id.
func (s *Server) SetKMSKey(id, keyID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[id]
	if sec == nil {
		return false
	}
	sec.kmsKey = keyID
	return true
}
