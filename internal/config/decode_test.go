package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// problems decodes one file and returns its diagnostics as "line: Summary".
func problems(t *testing.T, src string) []string {
	t.Helper()
	_, diags := Decode("nest", []string{"a.fly"}, [][]byte{[]byte(src)})
	return summaries(diags)
}

func summaries(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		out = append(out, fmt.Sprintf("%d: %s", line, d.Summary))
	}
	return out
}

// egg wraps a gitlab block's arguments and more blocks into an egg.
func egg(gitlab string, more ...string) string {
	return "egg \"app\" {\n  gitlab {\n" + gitlab + "\n  }\n" + strings.Join(more, "\n") + "\n}\n"
}

const okGitLab = "    server = \"gitlab.com\"\n    project_id = 1"

func TestDecodeReportsProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"valid project egg", egg(okGitLab), nil},
		{"both ids", egg(okGitLab + "\n    group_id = 2"),
			[]string{"5: Both project_id and group_id"}},
		{"neither id", egg(`    server = "gitlab.com"`),
			[]string{"2: Missing project_id or group_id"}},
		{"zero id", egg(`    server = "gitlab.com"` + "\n    project_id = 0"),
			[]string{"4: Invalid project_id"}},
		{"negative id", egg(`    server = "gitlab.com"` + "\n    group_id = -3"),
			[]string{"4: Invalid group_id"}},
		{"string id", egg(`    server = "gitlab.com"` + "\n    project_id = \"12\""),
			[]string{"4: Incorrect value type"}},
		{"fractional id", egg(`    server = "gitlab.com"` + "\n    project_id = 1.5"),
			[]string{"4: Not a whole number"}},
		{"id for project_id", egg(`    server = "gitlab.com"` + "\n    id = 1"),
			[]string{"4: Unsupported argument"}},
		{"missing server", egg("    project_id = 1"), []string{"2: Missing server"}},
		{"server with scheme", egg(`    server = "https://gitlab.com"` + "\n    project_id = 1"),
			[]string{"3: Invalid server"}},
		{"missing gitlab", "egg \"app\" {\n}\n", []string{"1: Missing gitlab block"}},
		{"two gitlab blocks", egg(okGitLab, "  gitlab {\n"+okGitLab+"\n  }"),
			[]string{"6: Duplicate gitlab block"}},
		{"discovery on a project", egg(okGitLab, "  discovery {}"),
			[]string{"6: Discovery on a project egg"}},
		{"upper case name", strings.Replace(egg(okGitLab), "app", "App", 1),
			[]string{"1: Invalid egg name"}},
		{"missing label", "egg {\n}\n", []string{"1: Missing name for egg"}},
		{"two labels", "egg \"a\" \"b\" {\n}\n", []string{"1: Extra label"}},
		{"label on gitlab", "egg \"a\" {\n  gitlab \"x\" {\n  }\n}\n",
			[]string{"1: Missing gitlab block", "2: Unexpected label"}},
		{"misspelt block", "eggbucket \"x\" {\n}\n", []string{"1: Unsupported block type"}},
		{"top-level argument", "name = \"x\"\n", []string{"1: Unsupported argument"}},
		{"block as argument", egg(okGitLab, "  runner = {}"),
			[]string{"6: Block written as an argument"}},
		{"argument as block", egg(okGitLab, "  runner {\n    tags {}\n  }"),
			[]string{"7: Argument written as a block"}},
		{"short timeout", egg(okGitLab, "  runner {\n    maximum_timeout = \"5m\"\n  }"),
			[]string{"7: Duration too short"}},
		{"timeout as number", egg(okGitLab, "  runner {\n    maximum_timeout = 3600\n  }"),
			[]string{"7: Incorrect value type"}},
		{"bad duration", egg(okGitLab, "  runner {\n    idle_timeout = \"soon\"\n  }"),
			[]string{"7: Invalid duration"}},
		{"unknown access level", egg(okGitLab, "  runner {\n    access_level = \"all\"\n  }"),
			[]string{"7: Unknown access_level"}},
		{"comma in tag", egg(okGitLab, "  runner {\n    tags = [\"a,b\"]\n  }"),
			[]string{"7: Invalid tag"}},
		{"tag not a string", egg(okGitLab, "  runner {\n    tags = [1]\n  }"),
			[]string{"7: Incorrect value type"}},
		{"unknown event", egg(okGitLab,
			"  webhook {\n    url = \"https://h.example.com\"\n"+
				"    events = [\"job\", \"merge_requests\"]\n  }"),
			[]string{"8: Unknown event"}},
		{"event twice", egg(okGitLab,
			"  webhook {\n    url = \"https://h.example.com\"\n"+
				"    events = [\"job\", \"job\"]\n  }"),
			[]string{"8: Duplicate event"}},
		{"http webhook", egg(okGitLab, "  webhook {\n    url = \"http://h.example.com\"\n  }"),
			[]string{"7: Webhook URL is not https"}},
		{"relative webhook", egg(okGitLab, "  webhook {\n    url = \"/hooks\"\n  }"),
			[]string{"7: Invalid webhook URL"}},
		{"webhook without url", egg(okGitLab, "  webhook {\n    events = [\"job\"]\n  }"),
			[]string{"6: Missing webhook URL"}},
		{"bad glob", strings.Replace(egg(okGitLab, "  discovery {\n    exclude = [\"a/[\"]\n  }"),
			"project_id", "group_id", 1), []string{"7: Invalid exclude pattern"}},
		{"variable", egg(okGitLab, "  runner {\n    description = var.x\n  }"),
			[]string{"7: Variables not allowed"}},
		{"function call", egg(okGitLab, "  runner {\n    description = upper(\"x\")\n  }"),
			[]string{"7: Function calls not allowed"}},
		{"null is unset", egg(okGitLab, "  runner {\n    locked = null\n  }"), nil},
		{"token", egg(okGitLab,
			"  runner {\n    description = \"glpat-ABCDEFGHIJKLMNOPQRST\"\n  }"),
			[]string{"7: Token in a .fly file"}},
		{"unclosed brace", "egg \"a\" {\n  gitlab {\n",
			[]string{"2: Unclosed configuration block"}},
		{"comma one-liner", "egg \"a\" {\n  gitlab { server = \"gitlab.com\", id = 1 }\n}\n",
			[]string{"2: Comma between arguments"}},
		{"two arguments on a line", "egg \"a\" {\n  gitlab { server = \"x\" project_id = 1 }\n}\n",
			[]string{"2: More than one argument on a line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problems(t, tt.src); !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q\nsource:\n%s", got, tt.want, tt.src)
			}
		})
	}
}
