package cli

import "testing"

func TestCounts(t *testing.T) {
	cases := []struct {
		name, got, want string
	}{
		{"plural of one", plural(1, "unit"), "1 unit"},
		{"plural of none", plural(0, "unit"), "0 units"},
		{"plural of two", plural(2, "character"), "2 characters"},
		{"one of one", ofTotal(1, 1, "unit"), "1 of 1 unit"},
		{"one of three", ofTotal(1, 3, "unit"), "1 of 3 units"},
		{"two of two", ofTotal(2, 2, "unit"), "2 of 2 units"},
		{"is for one", isAre(1, "file"), "1 file is"},
		{"are for two", isAre(2, "file"), "2 files are"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}
