package config

import (
	"slices"
	"strings"
	"testing"
)

func TestInvisibleCharacters(t *testing.T) {
	const gl = "  gitlab {\n    server     = \"gitlab.com\"\n    project_id = 1\n  }\n"
	egg := func(body string) string { return "egg \"a\" {\n" + gl + body + "}\n" }
	tests := []struct {
		name, src, detail string
	}{
		{"override in a tag", egg("  runner {\n    tags = [\"dock\u202eer\"]\n  }\n"),
			"The value of tags holds U+202E RIGHT-TO-LEFT OVERRIDE at character 5"},
		{"zero width space in a description",
			egg("  runner {\n    description = \"\u200bbuild\"\n  }\n"),
			"The value of description holds U+200B ZERO WIDTH SPACE at character 1"},
		{"isolate in a webhook url", egg("  webhook {\n    url = " +
			"\"https://fleet.example.com/\u2066hooks\"\n  }\n"),
			"The value of url holds U+2066 LEFT-TO-RIGHT ISOLATE at character 27"},
		{"no-break space inside a server", strings.Replace(egg(""), "gitlab.com",
			"gitlab\ufeff.com", 1), "The value of server holds U+FEFF ZERO WIDTH NO-BREAK SPACE"},
		{"word joiner in an environment value", egg("  environment {\n" +
			"    A = \"x\u2060\"\n  }\n"), "The value of A holds U+2060 at character 2"},
		{"escape sequence in a description", egg("  runner {\n" +
			"    description = \"ok\\u001b[31m\"\n  }\n"), "U+001B at character 3"},
		{"mark in a repo label", "eggsbucket \"b\" {\n  repositories {\n" +
			"    repo \"api\u200f\" {\n  " + strings.ReplaceAll(gl, "\n", "\n  ") +
			"  }\n  }\n}\n", "The repo label holds U+200F RIGHT-TO-LEFT MARK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, details := decodeFiles(t, "a.fly", tt.src)
			if !slices.ContainsFunc(got, func(p string) bool {
				return strings.HasSuffix(p, ": Invisible character")
			}) {
				t.Fatalf("problems = %q, want an invisible character", got)
			}
			if !slices.ContainsFunc(details, func(d string) bool {
				return strings.Contains(d, tt.detail)
			}) {
				t.Errorf("details = %q, want one with %q", details, tt.detail)
			}
		})
	}
}

func TestVisibleCharactersAccepted(t *testing.T) {
	src := "egg \"a\" {\n  gitlab {\n    server     = \"gitlab.com\"\n    project_id = 1\n" +
		"  }\n  runner {\n    description = \"Büro — 東京\\tbuild\"\n  }\n}\n"
	if _, got, _ := decodeFiles(t, "a.fly", src); len(got) > 0 {
		t.Errorf("problems = %q, want none", got)
	}
}
