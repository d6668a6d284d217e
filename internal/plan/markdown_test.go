package plan

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// bigBucket is the plan of a bucket of n projects whose hooks all move
// from a per-project URL to a shared one: every hook has its own old
// value, so no field line is shared and the Markdown outgrows a note.
func bigBucket(n int) *Plan {
	u := &Unit{Egg: "all-services", Server: "gitlab.com", Kind: "bucket",
		Source: "buckets/all.fly:1"}
	u.Actions = append(u.Actions, &Action{Op: OpCreate, Object: ObjRunner,
		Changes: []Change{{Field: "description", New: "all services [hatchery:all-services]"}}})
	for i := range n {
		id := int64(1000 + i)
		path := fmt.Sprintf("acme/department-%02d/team-%03d/service-%05d", i%40, i%400, i)
		u.Targets = append(u.Targets, Target{ID: id, Path: path, Via: "group 7"})
		u.Actions = append(u.Actions,
			&Action{Op: OpEnable, Object: ObjRunner, ProjectID: id, Project: path},
			&Action{Op: OpUpdate, Object: ObjHook, ProjectID: id, Project: path, HookID: id * 3,
				Changes: []Change{
					{Field: "url", Old: fmt.Sprintf("https://hooks-%05d.example.com/gitlab", i),
						New: "https://fleet.example.com/hooks/gitlab"},
					{Field: "secret", Old: "unknown", New: "fingerprint 0123456789abcdef"},
				}})
	}
	small := &Unit{Egg: "my-app", Server: "gitlab.com", Kind: "project", Source: "my-app.fly:2",
		Actions: []*Action{{Op: OpCreate, Object: ObjRunner}}}
	broken := &Unit{Egg: "broken", Server: "gitlab.com", Kind: "project", Source: "broken.fly:1",
		Error: "no api-token at yc-lockbox://gitlab/gitlab.com/broken/api-token"}
	return &Plan{FormatVersion: FormatVersion, Units: []*Unit{u, small, broken}}
}

func TestMarkdownCutsABigBucketToFit(t *testing.T) {
	p := bigBucket(5000)
	full := p.Markdown(MarkdownOptions{Limit: 1 << 30})
	if n := utf8.RuneCountInString(full); n <= NoteLimit {
		t.Fatalf("the uncut plan is %d characters; the test needs one over the limit", n)
	}
	md := p.Markdown(MarkdownOptions{FullPlan: "the job's artifacts"})
	if n := utf8.RuneCountInString(md); n > NoteLimit {
		t.Fatalf("the note is %d characters, over the limit of %d", n, NoteLimit)
	}
	for _, want := range []string{
		"| 3 | 5002 | 5000 | 0 | 1 |\n",
		"**Plan: 5002 to create, 5000 to update, 0 to delete. 1 unit could not be planned.**",
		"- :x: **error**, `broken` on gitlab.com (`broken.fly:1`): no api-token at",
		"<details><summary><code>all-services</code> (bucket egg, buckets/all.fly:1): " +
			"5001 to create, 5000 to update, 0 to delete</summary>",
		"the details of 1 egg are not shown",
		"the full plan is in the job's artifacts.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the note lacks %q", want)
		}
	}
	if !strings.HasPrefix(md, p.mdHead(MarkdownOptions{})) {
		t.Error("the note does not start with the whole summary")
	}
	// The bucket's section was cut line by line: the first projects are
	// there, the last is not.
	if !strings.Contains(md, "acme/department-00/team-000/service-00000 (1000)") ||
		strings.Contains(md, "service-04999") {
		t.Error("the bucket's section was not cut from its end")
	}
	checkBalanced(t, md)
}

func TestMarkdownStaysUnderEveryLimit(t *testing.T) {
	p := bigBucket(50)
	full := p.Markdown(MarkdownOptions{Limit: 1 << 30})
	head := utf8.RuneCountInString(p.mdHead(MarkdownOptions{}))
	for limit := head + 700; limit < len(full)+100; limit += 97 {
		md := p.Markdown(MarkdownOptions{Limit: limit})
		if n := utf8.RuneCountInString(md); n > limit {
			t.Fatalf("limit %d: the note is %d characters", limit, n)
		}
		if !strings.HasPrefix(md, p.mdHead(MarkdownOptions{})) {
			t.Fatalf("limit %d: the summary is not whole", limit)
		}
		checkBalanced(t, md)
		if md != full && !strings.Contains(md, "too large for one note") {
			t.Fatalf("limit %d: the note was cut without saying so", limit)
		}
	}
}

// checkBalanced fails unless every details element and code block that
// the note opens is closed.
func checkBalanced(t *testing.T, md string) {
	t.Helper()
	if o, c := strings.Count(md, "<details>"), strings.Count(md, "</details>"); o != c {
		t.Errorf("%d <details> opened, %d closed", o, c)
	}
	if n := strings.Count(md, "```"); n%2 != 0 {
		t.Errorf("%d code fences: one is not closed", n)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"html", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
		{"table pipe", "a | b", `a \| b`},
		{"emphasis", "*bold* _it_", `\*bold\* \_it\_`},
		{"link", "[x](http://evil)", `\[x\](http://evil)`},
		{"line break", "one\ntwo", `one\\ntwo`},
		{"quick action", "/close", "/close"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mdText(tc.text); got != tc.want {
				t.Errorf("mdText(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestMarkdownFenceOutlastsBackticks(t *testing.T) {
	u := &Unit{Egg: "a", Server: "gitlab.com", Kind: "project", Actions: []*Action{{
		Op: OpUpdate, Object: ObjRunner, RunnerID: 5,
		Changes: []Change{{Field: "description", Old: "````", New: "x [hatchery:a]"}}}}}
	md := (&Plan{Units: []*Unit{u}}).Markdown(MarkdownOptions{})
	if !strings.Contains(md, "`````diff\n") || !strings.Contains(md, "\n`````\n") {
		t.Errorf("the code block is not fenced past the value's backticks:\n%s", md)
	}
}

func TestMarkdownNoChanges(t *testing.T) {
	p := &Plan{Units: []*Unit{{Egg: "a", Server: "gitlab.com", Kind: "project"}}}
	md := p.Markdown(MarkdownOptions{Title: "t", Lead: []string{"lead"}})
	want := "### t\n\nlead  \n\n" +
		"| units | to create | to update | to delete | errors |\n" +
		"| ---: | ---: | ---: | ---: | ---: |\n" +
		"| 1 | 0 | 0 | 0 | 0 |\n\n" +
		"**No changes.**\n\n" +
		"1 egg without changes.\n\n"
	if md != want {
		t.Errorf("got:\n%s\nwant:\n%s", md, want)
	}
}

func BenchmarkMarkdown5000(b *testing.B) {
	p := bigBucket(5000)
	b.ReportAllocs()
	for b.Loop() {
		md := p.Markdown(MarkdownOptions{FullPlan: "the job's artifacts"})
		b.SetBytes(int64(len(md)))
	}
}
