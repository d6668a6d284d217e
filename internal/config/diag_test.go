package config

import (
	"strings"
	"testing"
)

func TestWriteDiagnostics(t *testing.T) {
	src := "egg \"app\" {\n  gitlab {\n\tserver = \"gitlab.com\"\n    id = 1\n  }\n}\n"
	n, diags := Decode("nest", []string{"a.fly"}, [][]byte{[]byte(src)})
	var b strings.Builder
	if err := WriteDiagnostics(&b, n.Sources, diags, false); err != nil {
		t.Fatal(err)
	}
	want := `Error: Unsupported argument

  on a.fly line 4:
   4:     id = 1
          ^^

An argument named "id" is not expected in a gitlab block. Did you mean
"project_id"?

`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteDiagnosticsColor(t *testing.T) {
	n, diags := Decode("nest", []string{"a.fly"}, [][]byte{[]byte("bogus {}\n")})
	var b strings.Builder
	if err := WriteDiagnostics(&b, n.Sources, diags, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{styleRed + "Error:" + styleReset,
		styleBold + "Unsupported block type" + styleReset, styleRed + "^^^^^" + styleReset} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%q", want, b.String())
		}
	}
}

func TestWriteDiagnosticsTabsAndWideText(t *testing.T) {
	// A tab counts as one column, and so does a multi-byte character.
	src := "egg \"app\" {\n\tgitlab { server = \"ü\", id = 1 }\n}\n"
	n, diags := Decode("nest", []string{"a.fly"}, [][]byte{[]byte(src)})
	var b strings.Builder
	if err := WriteDiagnostics(&b, n.Sources, diags, false); err != nil {
		t.Fatal(err)
	}
	want := "   2:  gitlab { server = \"ü\", id = 1 }\n" +
		strings.Repeat(" ", len("   2: ")+22) + "^\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("got:\n%s\nwant a part:\n%s", b.String(), want)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc\nddd "+strings.Repeat("e", 12), 8)
	want := "aaa bbb\nccc\nddd\neeeeeeeeeeee"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}
