package secrets

// How a unit's record looks in Lockbox:
//
//   - one secret per unit, named hatchery-{server}-{egg}-{hash}: server and
//     egg slugged to [a-z0-9-], cut so the name stays within Lockbox's 100
//     characters, and the first 8 hex digits of the SHA-256 of server/egg
//     keep two units whose slugs collide apart;
//   - labels managed-by=hatchery, egg={egg} and server={server slug}, for
//     people who filter secrets with yc; label values allow only [-_0-9a-z]
//     and 63 characters;
//   - the description starts with the unit's path prefix,
//     yc-lockbox://gitlab/{server}/{egg}/, and that prefix is what List
//     reads: a name or label alone never makes a secret a unit's record;
//   - entries keyed by secret type, and runner-id for the runner's id.

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Lockbox's limits on names and label values.
const (
	maxSecretName = 100
	maxLabelValue = 63
)

// Label keys and values that mark hatchery's secrets.
const (
	labelManagedBy = "managed-by"
	labelEgg       = "egg"
	labelServer    = "server"
	managedBy      = "hatchery"
)

// entryRunnerID is the payload entry that keeps Record.RunnerID.
const entryRunnerID = "runner-id"

// secretName returns the name of u's Lockbox secret.
func secretName(u Unit) string {
	sum := sha256.Sum256([]byte(u.String()))
	hash := hex.EncodeToString(sum[:4])
	server, egg := slug(u.Server), u.Egg
	// "hatchery-" + server + "-" + egg + "-" + hash
	room := maxSecretName - len("hatchery---") - len(hash)
	if len(server)+len(egg) > room {
		egg = cut(egg, max(room/2, room-len(server)))
		server = cut(server, room-len(egg))
	}
	return "hatchery-" + server + "-" + egg + "-" + hash
}

// cut returns s shortened to at most n bytes, without a trailing hyphen.
func cut(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-")
}

// slug maps a server name to [a-z0-9-]: every other character becomes a
// hyphen. Servers are lower case already.
func slug(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isSlugByte(c) {
			b[i] = '-'
		}
	}
	return strings.Trim(string(b), "-")
}

// secretLabels returns the labels of u's secret.
func secretLabels(u Unit) map[string]string {
	return map[string]string{
		labelManagedBy: managedBy,
		labelEgg:       cut(u.Egg, maxLabelValue),
		labelServer:    cut(slug(u.Server), maxLabelValue),
	}
}

// unitPrefix is the path prefix that every secret of u shares.
func unitPrefix(u Unit) string { return Scheme + u.Server + "/" + u.Egg + "/" }

// secretDescription returns the description of u's secret.
func secretDescription(u Unit) string {
	return unitPrefix(u) + " secrets of egg " + u.Egg + " on " + u.Server +
		", kept by hatchery"
}

// unitOf returns the unit whose record a secret holds: its description
// must start with a unit's path prefix and its labels must say hatchery
// manages it.
func unitOf(labels map[string]string, desc string) (Unit, bool) {
	if labels[labelManagedBy] != managedBy {
		return Unit{}, false
	}
	prefix, _, _ := strings.Cut(desc, " ")
	rest, ok := strings.CutPrefix(prefix, Scheme)
	if !ok {
		return Unit{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[2] != "" {
		return Unit{}, false
	}
	u := Unit{Server: parts[0], Egg: parts[1]}
	return u, u.Check() == nil
}
