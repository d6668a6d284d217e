package desired

import (
	"cmp"
	"maps"

	"github.com/hashicorp/hcl/v2"

	"gitlab.com/hatchery/hatchery/internal/config"
)

// mergeRunner lays over on top of under, field by field: a field set in
// over wins. Either may be nil.
func mergeRunner(under, over *config.Runner) *config.Runner {
	if under == nil || over == nil {
		return cmp.Or(over, under)
	}
	m := *under
	m.Ranges = mergeRanges(under.Ranges, over.Ranges)
	set(&m.Description, over.Description)
	if over.Tags != nil {
		m.Tags = over.Tags
	}
	set(&m.RunUntagged, over.RunUntagged)
	set(&m.Locked, over.Locked)
	set(&m.Paused, over.Paused)
	set(&m.AccessLevel, over.AccessLevel)
	set(&m.MaximumTimeout, over.MaximumTimeout)
	set(&m.Concurrent, over.Concurrent)
	set(&m.IdleTimeout, over.IdleTimeout)
	return &m
}

// mergeWebhook is mergeRunner for webhook blocks.
func mergeWebhook(under, over *config.Webhook) *config.Webhook {
	if under == nil || over == nil {
		return cmp.Or(over, under)
	}
	m := *under
	m.Ranges = mergeRanges(under.Ranges, over.Ranges)
	set(&m.URL, over.URL)
	if over.Events != nil {
		m.Events = over.Events
	}
	set(&m.SSLVerification, over.SSLVerification)
	return &m
}

// mergeRanges returns a new map of under's ranges with over's laid on top.
func mergeRanges(under, over map[string]hcl.Range) map[string]hcl.Range {
	m := make(map[string]hcl.Range, len(under)+len(over))
	maps.Copy(m, under)
	maps.Copy(m, over)
	return m
}

func set[T any](dst **T, src *T) {
	if src != nil {
		*dst = src
	}
}
