package templates

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// This file evaluates `rules:` the way GitLab does, for the part of the
// expression language that the templates use: variables, quoted strings,
// null, ==, !=, && and ||, and parentheses. A variable that is not set
// is null; a bare variable is true when it is set and not empty.

// evalRules returns what the rules make of a job in a pipeline with vars:
// its when ("" when the job is not added) and the variables of the rule
// that matched. A job without rules gets GitLab's default, `only:
// [branches, tags]`: it is in branch, tag and scheduled pipelines but
// never in a merge request pipeline.
func evalRules(t *testing.T, rules []Rule, vars map[string]string) (string, Vars) {
	t.Helper()
	if len(rules) == 0 {
		if vars["CI_PIPELINE_SOURCE"] == "merge_request_event" {
			return "", nil
		}
		return "on_success", nil
	}
	for _, r := range rules {
		ok := true
		if r.If != "" {
			var err error
			ok, err = evalExpr(r.If, vars)
			if err != nil {
				t.Fatalf("rule %q: %v", r.If, err)
			}
		}
		if !ok {
			continue
		}
		switch r.When {
		case "never":
			return "", nil
		case "":
			return "on_success", r.Variables
		}
		return r.When, r.Variables
	}
	return "", nil
}

type exprParser struct {
	toks []string
	vars map[string]string
}

func evalExpr(s string, vars map[string]string) (bool, error) {
	toks, err := tokenize(s)
	if err != nil {
		return false, err
	}
	p := &exprParser{toks: toks, vars: vars}
	v, err := p.or()
	if err == nil && len(p.toks) > 0 {
		err = fmt.Errorf("unexpected %q", p.toks[0])
	}
	return v, err
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		switch {
		case s[0] == '"' || s[0] == '\'':
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return nil, fmt.Errorf("unterminated string in %q", s)
			}
			toks, s = append(toks, s[:end+2]), s[end+2:]
		case s[0] == '/':
			end := strings.IndexByte(s[1:], '/')
			if end < 0 {
				return nil, fmt.Errorf("unterminated pattern in %q", s)
			}
			toks, s = append(toks, s[:end+2]), s[end+2:]
		case strings.HasPrefix(s, "=~") || strings.HasPrefix(s, "!~"):
			toks, s = append(toks, s[:2]), s[2:]
		case strings.HasPrefix(s, "==") || strings.HasPrefix(s, "!=") ||
			strings.HasPrefix(s, "&&") || strings.HasPrefix(s, "||"):
			toks, s = append(toks, s[:2]), s[2:]
		case s[0] == '(' || s[0] == ')':
			toks, s = append(toks, s[:1]), s[1:]
		case s[0] == '$' || strings.HasPrefix(s, "null"):
			n := 1
			for n < len(s) && (isWord(s[n])) {
				n++
			}
			toks, s = append(toks, s[:n]), s[n:]
		default:
			return nil, fmt.Errorf("cannot read %q", s)
		}
	}
	return toks, nil
}

func isWord(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func (p *exprParser) next() string {
	if len(p.toks) == 0 {
		return ""
	}
	t := p.toks[0]
	p.toks = p.toks[1:]
	return t
}

func (p *exprParser) peek() string {
	if len(p.toks) == 0 {
		return ""
	}
	return p.toks[0]
}

func (p *exprParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && p.peek() == "||" {
		p.next()
		var w bool
		w, err = p.and()
		v = v || w
	}
	return v, err
}

func (p *exprParser) and() (bool, error) {
	v, err := p.cmp()
	for err == nil && p.peek() == "&&" {
		p.next()
		var w bool
		w, err = p.cmp()
		v = v && w
	}
	return v, err
}

// cmp is a comparison or a lone value; a value is a *string, nil for null.
func (p *exprParser) cmp() (bool, error) {
	if p.peek() == "(" {
		p.next()
		v, err := p.or()
		if err == nil && p.next() != ")" {
			err = fmt.Errorf("missing )")
		}
		return v, err
	}
	left, err := p.value()
	if err != nil {
		return false, err
	}
	op := p.peek()
	if op == "=~" || op == "!~" {
		p.next()
		pat := p.next()
		if len(pat) < 2 || pat[0] != '/' {
			return false, fmt.Errorf("expected a /pattern/ after %s, got %q", op, pat)
		}
		re, err := regexp.Compile(pat[1 : len(pat)-1])
		if err != nil {
			return false, err
		}
		match := left != nil && re.MatchString(*left)
		return match == (op == "=~"), nil
	}
	if op != "==" && op != "!=" {
		return left != nil && *left != "", nil
	}
	p.next()
	right, err := p.value()
	if err != nil {
		return false, err
	}
	eq := (left == nil && right == nil) || (left != nil && right != nil && *left == *right)
	return eq == (op == "=="), nil
}

func (p *exprParser) value() (*string, error) {
	t := p.next()
	switch {
	case t == "null":
		return nil, nil
	case strings.HasPrefix(t, "$"):
		v, ok := p.vars[t[1:]]
		if !ok {
			return nil, nil
		}
		return &v, nil
	case len(t) >= 2 && (t[0] == '"' || t[0] == '\''):
		s := t[1 : len(t)-1]
		return &s, nil
	}
	return nil, fmt.Errorf("expected a value, got %q", t)
}

func TestEvalExpr(t *testing.T) {
	vars := map[string]string{"A": "x", "EMPTY": "", "B": "x", "V": "1.2"}
	tests := []struct {
		expr string
		want bool
	}{
		{`$A == "x"`, true},
		{`$A != "x"`, false},
		{`$A == $B`, true},
		{`$UNSET == "x"`, false},
		{`$UNSET != "x"`, true},
		{`$UNSET == null`, true},
		{`$EMPTY == null`, false},
		{`$A`, true},
		{`$EMPTY`, false},
		{`$UNSET`, false},
		{`"true" == "true"`, true},
		{`'false' == "true"`, false},
		{`$A == "x" && $UNSET`, false},
		{`$A == "y" || $B == "x"`, true},
		{`($A == "y" || $B == "x") && $EMPTY == ""`, true},
		{`$V =~ /^\d+\.\d+$/`, true},
		{`$A =~ /^\d+$/`, false},
		{`$UNSET =~ /x/`, false},
		{`$A !~ /^\d+$/`, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := evalExpr(tt.expr, vars)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
