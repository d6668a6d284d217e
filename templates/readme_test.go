package templates

import (
	"bytes"
	"os"
	"testing"
)

const (
	beginMarker = "<!-- inputs:begin -->\n"
	endMarker   = "<!-- inputs:end -->"
)

// The README's table of inputs is the one InputTable renders from the
// templates. HATCHERY_UPDATE=1 rewrites it.
func TestREADMEInputTable(t *testing.T) {
	table := inputTable(t)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := bytes.Cut(readme, []byte(beginMarker))
	if !ok {
		t.Skipf("README.md has no %q line yet; put the table between it and %q:\n%s",
			beginMarker[:len(beginMarker)-1], endMarker, table)
	}
	got, after, ok := bytes.Cut(rest, []byte(endMarker))
	if !ok {
		t.Fatalf("README.md has %q but no %q after it", beginMarker, endMarker)
	}
	if string(got) == table {
		return
	}
	if os.Getenv("HATCHERY_UPDATE") != "" {
		parts := [][]byte{before, []byte(beginMarker), []byte(table), []byte(endMarker), after}
		updated := bytes.Join(parts, nil)
		if err := os.WriteFile("../README.md", updated, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's table of inputs differs from the templates; "+
		"HATCHERY_UPDATE=1 go test ./templates rewrites it. Want:\n%s\nhave:\n%s", table, got)
}

func TestInputTableRows(t *testing.T) {
	table := inputTable(t)
	for _, row := range []string{
		"| `nest` | string | `.` | validate, plan, drift | Directory of the nest, " +
			"relative to the repository root. |\n",
		"| `auto_apply` | boolean | `false` | apply | Apply without waiting for someone " +
			"to start the job. |\n",
		"| `lockbox_folder_id` | string | empty | plan, apply, drift |",
		"| `parallelism` | number | `8` | plan, apply, drift |",
	} {
		if !bytes.Contains([]byte(table), []byte(row)) {
			t.Errorf("table lacks %q:\n%s", row, table)
		}
	}
}

// inputTable is the table InputTable renders from the templates.
func inputTable(t *testing.T) string {
	t.Helper()
	cs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	table, err := InputTable(cs)
	if err != nil {
		t.Fatal(err)
	}
	return table
}
