package lockboxsim

import (
	"fmt"
	"regexp"

	lockbox "github.com/yandex-cloud/go-genproto/yandex/cloud/lockbox/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Limits from the validation options of Lockbox's protos and its documented
// limits. maxEntries is not in the current limits page, whose description
// still names a limit on the number of pairs; 32 is what earlier versions
// of that page gave.
const (
	maxIDLen        = 50
	maxNameLen      = 100
	maxDescLen      = 1024
	maxVersionDesc  = 1024
	maxLabels       = 64
	maxLabelLen     = 63
	maxKeyLen       = 256
	maxValueLen     = 65536
	maxVersionBytes = 64 * 1024
	maxEntries      = 32
	maxPageSize     = 1000
	defaultPageSize = 100
)

var (
	labelKeyRe   = regexp.MustCompile(`^[a-z][-_0-9a-z]*$`)
	labelValueRe = regexp.MustCompile(`^[-_0-9a-z]*$`)
	entryKeyRe   = regexp.MustCompile(`^[-_./\\@0-9a-zA-Z]+$`)
)

func invalid(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

func checkID(field, id string) error {
	if id == "" {
		return invalid("%s: required", field)
	}
	if len(id) > maxIDLen {
		return invalid("%s: length must be <= %d", field, maxIDLen)
	}
	return nil
}

func checkLabels(labels map[string]string) error {
	if len(labels) > maxLabels {
		return invalid("labels: no more than %d per resource", maxLabels)
	}
	for k, v := range labels {
		if len(k) > maxLabelLen || !labelKeyRe.MatchString(k) {
			return invalid("labels: key %q must match [a-z][-_0-9a-z]* and be at most %d long",
				k, maxLabelLen)
		}
		if len(v) > maxLabelLen || !labelValueRe.MatchString(v) {
			return invalid("labels: value %q of %s must match [-_0-9a-z]* and be at most %d long",
				v, k, maxLabelLen)
		}
	}
	return nil
}

func checkCreate(r *lockbox.CreateSecretRequest) error {
	if err := checkID("folder_id", r.FolderId); err != nil {
		return err
	}
	switch {
	case len(r.Name) > maxNameLen:
		return invalid("name: length must be <= %d", maxNameLen)
	case len(r.Description) > maxDescLen:
		return invalid("description: length must be <= %d", maxDescLen)
	case len(r.VersionDescription) > 256:
		return invalid("version_description: length must be <= 256")
	case r.KmsKeyId != "" && len(r.KmsKeyId) > maxIDLen:
		return invalid("kms_key_id: length must be <= %d", maxIDLen)
	}
	if err := checkLabels(r.Labels); err != nil {
		return err
	}
	return checkChanges(r.VersionPayloadEntries)
}

// checkChanges checks the entries of one request.
func checkChanges(changes []*lockbox.PayloadEntryChange) error {
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Key == "" || len(c.Key) > maxKeyLen || !entryKeyRe.MatchString(c.Key) {
			return invalid("payload entry key %q must match [-_./\\\\@0-9a-zA-Z]+ and be "+
				"at most %d long", c.Key, maxKeyLen)
		}
		if seen[c.Key] {
			return invalid("payload entry key %q is given twice", c.Key)
		}
		seen[c.Key] = true
		if c.Value == nil {
			return invalid("payload entry %q: one of text_value, binary_value is required", c.Key)
		}
		if n := len(c.GetTextValue()) + len(c.GetBinaryValue()); n > maxValueLen {
			return invalid("payload entry %q: value length must be <= %d", c.Key, maxValueLen)
		}
	}
	return nil
}

// checkVersion checks the entries of a version as it would be stored.
func checkVersion(entries []entry) error {
	if len(entries) > maxEntries {
		return status.Errorf(codes.FailedPrecondition,
			"a version may hold at most %d entries, this one would hold %d",
			maxEntries, len(entries))
	}
	total := 0
	for _, e := range entries {
		total += len(e.text) + len(e.binary)
	}
	if total > maxVersionBytes {
		return status.Error(codes.FailedPrecondition, fmt.Sprintf(
			"the values of a version may total at most %d bytes, this one would hold %d",
			maxVersionBytes, total))
	}
	return nil
}
