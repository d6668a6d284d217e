package gitlabsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params are a request's parameters from the query string and the body
// (JSON or form), as Grape merges them. Values are string, []string, or what
// encoding/json decodes (json.Number, bool, []any, nil).
type params map[string]any

const maxBody = 8 << 20

func readParams(r *http.Request) (params, error) {
	ps := params{}
	addValues(ps, r.URL.Query())
	if r.Body == nil || r.Method == http.MethodGet {
		return ps, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return ps, nil
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/json":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, errors.New("the request body is not valid JSON")
		}
		for k, v := range m {
			ps[k] = v
		}
	case "application/x-www-form-urlencoded":
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errors.New("the request body is not a valid form")
		}
		addValues(ps, vs)
	}
	return ps, nil
}

// addValues folds query or form values in; "tag_list[]" names an array.
func addValues(ps params, vs url.Values) {
	for k, v := range vs {
		if name, ok := strings.CutSuffix(k, "[]"); ok {
			ps[name] = append([]string(nil), v...)
			continue
		}
		ps[k] = v[len(v)-1]
	}
}

// decoder reads typed parameters and keeps the first problem, phrased as
// Grape phrases it ("paused is invalid").
type decoder struct {
	ps  params
	err string
}

func (d *decoder) fail(name, what string) {
	if d.err == "" {
		d.err = name + " " + what
	}
}

// bad is Grape's 400 for the first problem, or nil.
func (d *decoder) bad() *reply {
	if d.err == "" {
		return nil
	}
	return grapeError(http.StatusBadRequest, d.err)
}

func (d *decoder) str(name string) (string, bool) {
	v, ok := d.ps[name]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	d.fail(name, "is invalid")
	return "", false
}

func (d *decoder) required(name string) string {
	s, ok := d.str(name)
	if !ok && d.err == "" {
		d.fail(name, "is missing")
	}
	return s
}

// boolean follows Grape's coercion: true/false, 1/0, t/f, yes/no.
func (d *decoder) boolean(name string) (bool, bool) {
	v, ok := d.ps[name]
	if !ok || v == nil {
		return false, false
	}
	if b, ok := v.(bool); ok {
		return b, true
	}
	s, _ := d.str(name)
	switch strings.ToLower(s) {
	case "true", "1", "t", "yes", "y", "on":
		return true, true
	case "false", "0", "f", "no", "n", "off":
		return false, true
	}
	d.fail(name, "is invalid")
	return false, false
}

func (d *decoder) integer(name string) (int64, bool) {
	s, ok := d.str(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.fail(name, "is invalid")
		return 0, false
	}
	return n, true
}

func (d *decoder) requiredInt(name string) int64 {
	n, ok := d.integer(name)
	if !ok && d.err == "" {
		d.fail(name, "is missing")
	}
	return n
}

// list reads an array: a JSON array, repeated name[] values, or one
// comma-separated string, as GitLab's CommaSeparatedToArray accepts.
func (d *decoder) list(name string) ([]string, bool) {
	v, ok := d.ps[name]
	if !ok || v == nil {
		return nil, false
	}
	var out []string
	switch x := v.(type) {
	case []string:
		for _, s := range x {
			out = append(out, splitComma(s)...)
		}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				d.fail(name, "is invalid")
				return nil, false
			}
			out = append(out, splitComma(s)...)
		}
	case string:
		out = splitComma(x)
	default:
		d.fail(name, "is invalid")
		return nil, false
	}
	return out, true
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// oneOf checks a value against the allowed set.
func (d *decoder) oneOf(name, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	d.fail(name, "does not have a valid value")
}

// pathInt reads an integer path parameter.
func pathInt(c *call, name string) (int64, *reply) {
	n, err := strconv.ParseInt(c.path[name], 10, 64)
	if err != nil {
		return 0, grapeError(http.StatusBadRequest, fmt.Sprintf("%s is invalid", name))
	}
	return n, nil
}
