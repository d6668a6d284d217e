package config

// Invisible characters: a bidirectional control (U+202E RIGHT-TO-LEFT
// OVERRIDE), a zero-width space or any other format character (Unicode
// category Cf), or a control character other than tab and line feed, can
// make one string look like another in review: a tag that reads "docker"
// and is not. Every string value and block label of a nest is refused when
// it holds one.

import (
	"fmt"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// invisibleNames names the characters most often used to deceive.
var invisibleNames = map[rune]string{
	'\u200b': "ZERO WIDTH SPACE",
	'\u200c': "ZERO WIDTH NON-JOINER",
	'\u200d': "ZERO WIDTH JOINER",
	'\u200e': "LEFT-TO-RIGHT MARK",
	'\u200f': "RIGHT-TO-LEFT MARK",
	'\u202a': "LEFT-TO-RIGHT EMBEDDING",
	'\u202b': "RIGHT-TO-LEFT EMBEDDING",
	'\u202c': "POP DIRECTIONAL FORMATTING",
	'\u202d': "LEFT-TO-RIGHT OVERRIDE",
	'\u202e': "RIGHT-TO-LEFT OVERRIDE",
	'\u2066': "LEFT-TO-RIGHT ISOLATE",
	'\u2067': "RIGHT-TO-LEFT ISOLATE",
	'\u2068': "FIRST STRONG ISOLATE",
	'\u2069': "POP DIRECTIONAL ISOLATE",
	'\ufeff': "ZERO WIDTH NO-BREAK SPACE",
}

// invisible returns the first invisible character of s and its position
// in characters from 1, or 0 when there is none.
func invisible(s string) (rune, int) {
	n := 0
	for _, r := range s {
		n++
		if unicode.Is(unicode.Cf, r) || (unicode.IsControl(r) && r != '\t' && r != '\n') {
			return r, n
		}
	}
	return 0, 0
}

// describeRune is "U+202E RIGHT-TO-LEFT OVERRIDE", or "U+2060" for a
// character without a name here.
func describeRune(r rune) string {
	if name, ok := invisibleNames[r]; ok {
		return fmt.Sprintf("U+%04X %s", r, name)
	}
	return fmt.Sprintf("U+%04X", r)
}

// checkVisible reports an invisible character in s, what names the value
// ("the value of tags", "the egg label"); it returns false when there is one.
func (d *decoder) checkVisible(rng hcl.Range, what, s string) bool {
	r, at := invisible(s)
	if r == 0 {
		return true
	}
	d.errorf(rng, "Invisible character",
		"%s holds %s at character %d: an invisible character that can make a value look "+
			"like another in review. Delete it; retyping the value by hand removes it.",
		capitalize(what), describeRune(r), at)
	return false
}

// visible checks every string inside v, a value of the argument name.
func (d *decoder) visible(rng hcl.Range, name string, v cty.Value) bool {
	switch {
	case v.IsNull() || !v.IsKnown():
		return true
	case v.Type() == cty.String:
		return d.checkVisible(rng, "the value of "+name, v.AsString())
	case v.Type().IsPrimitiveType():
		return true
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if k.Type() == cty.String && !d.checkVisible(rng, "a key of "+name, k.AsString()) {
				return false
			}
			if !d.visible(rng, name, e) {
				return false
			}
		}
	}
	return true
}
