package config

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// decoder turns one file's syntax tree into typed values, collecting every
// problem instead of stopping at the first.
type decoder struct {
	diags  hcl.Diagnostics
	scopes []scope
}

// scope is an egg or bucket block's whole range, so that a token found
// inside it can be given the secret path it belongs at.
type scope struct {
	rng          hcl.Range
	name, server string
}

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, errorAt(rng, summary, format, args...))
}

// value evaluates an argument without variables or functions. A null value
// counts as unset.
func (d *decoder) value(a *hclsyntax.Attribute) (cty.Value, bool) {
	v, diags := a.Expr.Value(nil)
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	if !d.visible(a.Expr.Range(), a.Name, v) {
		return cty.NilVal, false
	}
	return v, true
}

func (d *decoder) str(a *hclsyntax.Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v, ok := d.value(a)
	if !ok {
		return "", false
	}
	if v.Type() != cty.String {
		d.errorf(a.Expr.Range(), "Incorrect value type",
			"%s must be a string in quotes, like %s = \"…\".", a.Name, a.Name)
		return "", false
	}
	return v.AsString(), true
}

func (d *decoder) strPtr(a *hclsyntax.Attribute) *string {
	if s, ok := d.str(a); ok {
		return &s
	}
	return nil
}

func (d *decoder) boolPtr(a *hclsyntax.Attribute) *bool {
	if a == nil {
		return nil
	}
	v, ok := d.value(a)
	if !ok {
		return nil
	}
	if v.Type() != cty.Bool {
		d.errorf(a.Expr.Range(), "Incorrect value type",
			"%s must be true or false, without quotes.", a.Name)
		return nil
	}
	b := v.True()
	return &b
}

// whole returns a whole number argument.
func (d *decoder) whole(a *hclsyntax.Attribute) (int64, bool) {
	v, ok := d.value(a)
	if !ok {
		return 0, false
	}
	if v.Type() == cty.String {
		example := "123"
		if _, err := strconv.ParseInt(v.AsString(), 10, 64); err == nil {
			example = v.AsString()
		}
		d.errorf(a.Expr.Range(), "Incorrect value type",
			"%s is a number: write %s = %s, without quotes.", a.Name, a.Name, example)
		return 0, false
	}
	if v.Type() != cty.Number {
		d.errorf(a.Expr.Range(), "Incorrect value type",
			"%s must be a number, like %s = 123.", a.Name, a.Name)
		return 0, false
	}
	f := v.AsBigFloat()
	n, acc := f.Int64()
	if !f.IsInt() || acc != big.Exact {
		d.errorf(a.Expr.Range(), "Not a whole number",
			"%s must be a whole number.", a.Name)
		return 0, false
	}
	return n, true
}

// intIn returns a whole number argument in [lo, hi].
func (d *decoder) intIn(a *hclsyntax.Attribute, lo, hi int64, unit string) *int {
	if a == nil {
		return nil
	}
	n, ok := d.whole(a)
	if !ok {
		return nil
	}
	if n < lo || n > hi {
		d.errorf(a.Expr.Range(), "Value out of range",
			"%s must be between %d and %d%s.", a.Name, lo, hi, unit)
		return nil
	}
	i := int(n)
	return &i
}

// strings returns a list of strings and the range of each element.
func (d *decoder) strings(a *hclsyntax.Attribute) ([]string, []hcl.Range, bool) {
	if a == nil {
		return nil, nil, false
	}
	v, ok := d.value(a)
	if !ok {
		return nil, nil, false
	}
	t := v.Type()
	if !t.IsTupleType() && !t.IsListType() && !t.IsSetType() {
		d.errorf(a.Expr.Range(), "Incorrect value type",
			"%s must be a list of strings, like %s = [\"a\", \"b\"].", a.Name, a.Name)
		return nil, nil, false
	}
	var elems []hclsyntax.Expression
	if tuple, isTuple := a.Expr.(*hclsyntax.TupleConsExpr); isTuple {
		elems = tuple.Exprs
	}
	out, ranges := []string{}, []hcl.Range{}
	good := true
	for i, e := range v.AsValueSlice() {
		rng := a.Expr.Range()
		if i < len(elems) {
			rng = elems[i].Range()
		}
		if e.IsNull() || e.Type() != cty.String {
			d.errorf(rng, "Incorrect value type",
				"Every element of %s must be a string in quotes.", a.Name)
			good = false
			continue
		}
		out, ranges = append(out, e.AsString()), append(ranges, rng)
	}
	return out, ranges, good
}

// duration returns a duration argument such as "1h30m", at least lo; why
// ends the message when it is shorter.
func (d *decoder) duration(a *hclsyntax.Attribute, lo time.Duration, why string,
) *time.Duration {
	if a == nil {
		return nil
	}
	v, ok := d.value(a)
	if !ok {
		return nil
	}
	if v.Type() != cty.String {
		d.errorf(a.Expr.Range(), "Incorrect value type",
			"%s is a duration in quotes, like %s = \"1h\" or \"90m\".", a.Name, a.Name)
		return nil
	}
	dur, err := time.ParseDuration(v.AsString())
	if err != nil {
		d.errorf(a.Expr.Range(), "Invalid duration",
			"%s is a duration such as \"1h\", \"90m\" or \"2h30m\".", a.Name)
		return nil
	}
	if dur < lo {
		d.errorf(a.Expr.Range(), "Duration too short",
			"%s must be at least %s%s.", a.Name, fmtDuration(lo), why)
		return nil
	}
	return &dur
}

// fmtDuration prints 10m0s as 10m and 1h0m0s as 1h, the way people write them.
func fmtDuration(dur time.Duration) string {
	s := dur.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// oneOf checks that s, found at rng, is one of the allowed values and
// suggests a close one when it is not. what names the thing: "event".
func (d *decoder) oneOf(rng hcl.Range, what, s string, allowed []string) bool {
	if slices.Contains(allowed, s) {
		return true
	}
	list := quoteList(allowed)
	if len(allowed) > 4 {
		list = strings.Join(allowed, ", ")
	}
	detail := fmt.Sprintf("%s %s is one of %s.", article(what), what, list)
	if sug := suggest(s, allowed); sug != "" {
		detail = fmt.Sprintf("Did you mean %q? %s", sug, detail)
	}
	d.errorf(rng, "Unknown "+what, "%s", detail)
	return false
}

// article is "An" before a vowel, else "A".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "An"
	}
	return "A"
}

func quoteList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
