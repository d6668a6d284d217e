package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
)

// run20 is a 20-character run of token characters; test tokens are built
// from it so that no file here looks like a leaked credential.
var run20 = strings.Repeat("aB3_-", 4)

func TestMaskRegistered(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t-value", "a+b/c=d&e?f", `quote"back\slash`, "short")
	cases := []struct{ name, in, want string }{
		{"plain", "token s3cr3t-value here", "token [MASKED] here"},
		{"twice", "s3cr3t-values3cr3t-value", "[MASKED][MASKED]"},
		{"inside a word", "xs3cr3t-valuex", "x[MASKED]x"},
		{"query escaped", "?t=a%2Bb%2Fc%3Dd%26e%3Ff&x", "?t=[MASKED]&x"},
		{"path escaped", "/a+b%2Fc=d&e%3Ff/", "/[MASKED]/"},
		{"raw", "a+b/c=d&e?f", "[MASKED]"},
		{"json escaped", `{"v":"quote\"back\\slash"}`, `{"v":"[MASKED]"}`},
		{"short values are not registered", "a short word", "a short word"},
		{"prefix only", "s3cr3t-valu", "s3cr3t-valu"},
		{"nothing", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Mask(tc.in); got != tc.want {
				t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMaskOverlaps(t *testing.T) {
	var r Redactor
	r.Add("abcdefgh", "abcdefghijkl", "ijklmnopqr")
	cases := []struct{ in, want string }{
		{"abcdefghijkl", "[MASKED]"},
		{"abcdefghijklmnopqr", "[MASKED]"},
		{"abcdefghijklmnopq", "[MASKED]mnopq"},
		{"abcdefgijklmnopqr!", "abcdefg[MASKED]!"},
		{"abcdefghijklmnopqrabcdefgh", "[MASKED][MASKED]"},
	}
	for _, tc := range cases {
		if got := r.Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	r.Add("mnopqrstuv")
	if got := r.Mask("ijklmnopqrstuv!"); got != "[MASKED]!" {
		t.Errorf("overlapping values leave a part visible: %q", got)
	}
}

func TestMaskTokenShapes(t *testing.T) {
	b64 := strings.Repeat("9f7P7fy2m8", 6)
	cases := []struct{ name, token string }{
		{"personal access token", "glpat-" + run20},
		{"routable personal access token", "glpat-" + run20 + ".01.0w1abc2de"},
		{"runner token", "glrt-t1_" + run20},
		{"deploy token", "gldt-" + run20},
		{"trigger token", "glptt-" + run20},
		{"job token", "glcbt-64_" + run20},
		{"oauth secret", "gloas-" + run20},
		{"scim token", "glsoat-" + run20},
		{"feed token", "glft-" + run20},
		{"legacy registration token", "GR1348941" + run20},
		{"iam token", "t1." + b64 + "=." + b64 + b64 + "=="},
		{"iam token without signature", "t1." + b64},
		{"iam cookie", "c1." + b64 + "==." + b64},
		{"api key", "AQVN" + run20 + run20[:16]},
		{"oauth token", "y0_" + b64},
		{"static key secret", "YC" + run20 + run20[:18]},
		{"json web token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0In0." + run20},
	}
	var r Redactor
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, ctx := range []string{"%s", "Bearer %s\n", `{"token":"%s"}`,
				"PRIVATE-TOKEN=%s, next", "(%s)."} {
				in := fmt.Sprintf(ctx, tc.token)
				want := fmt.Sprintf(ctx, Masked)
				if got := r.Mask(in); got != want {
					t.Errorf("Mask(%q) = %q, want %q", in, got, want)
				}
			}
		})
	}
}

func TestMaskLeavesOrdinaryText(t *testing.T) {
	texts := []string{
		"Plan: 3 to create, 1 to update, 0 to delete.",
		"yc-lockbox://gitlab/gitlab.com/my-app/api-token",
		"glpat- tokens start with glpat-, runner tokens with glrt-",
		"glpat-short and gldt-tiny are too short to be tokens",
		"an instance of type t1.micro at t1.example.com",
		"AQVN alone, y0_ alone, YC alone, eyJ alone",
		"YCAJEexampleKeyID0123456", // a static key id: not a secret
		"https://gitlab.example.com:8443/api/v4/projects/12345/hooks?per_page=100",
		"runner 42 (hatchery:my-app) is locked; maximum_timeout=3600",
		"the quick brown fox jumps over the lazy dog",
		"C:\\Users\\someone\\AppData\\Local\\hatchery",
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"supercalifragilisticexpialidocious-and-antidisestablishmentarianism",
	}
	var r Redactor
	r.Add("Xk2-registered-secret")
	for _, s := range texts {
		if got := r.Mask(s); got != s {
			t.Errorf("Mask changed ordinary text:\n  in:  %q\n  out: %q", s, got)
		}
	}
}

// streamText holds a registered value, a token shape, a value near a line end
// and a value split over nothing at all, to be cut into writes everywhere.
func streamFixture() (*Redactor, string) {
	r := &Redactor{}
	r.Add("registered-secret-1", "other-secret-22")
	text := "start registered-secret-1 then glpat-" + run20 + " and\n" +
		"other-secret-22\nregistered-secret-1registered-secret-1 tail other-secret-2"
	return r, text
}

func writeChunks(t *testing.T, r *Redactor, chunks ...string) string {
	t.Helper()
	var out bytes.Buffer
	w := r.Writer(&out)
	for _, c := range chunks {
		if n, err := w.Write([]byte(c)); err != nil || n != len(c) {
			t.Fatalf("Write(%q) = %d, %v", c, n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWriterSplitAtEveryOffset(t *testing.T) {
	r, text := streamFixture()
	want := r.Mask(text)
	if strings.Contains(want, "secret-1") || strings.Contains(want, "secret-22") ||
		strings.Contains(want, "glpat") {
		t.Fatalf("fixture not masked by Mask: %q", want)
	}
	for i := range len(text) + 1 {
		if got := writeChunks(t, r, text[:i], text[i:]); got != want {
			t.Fatalf("split at %d:\n got %q\nwant %q", i, got, want)
		}
	}
}

func TestWriterSplitTwice(t *testing.T) {
	r, text := streamFixture()
	want := r.Mask(text)
	for i := range len(text) + 1 {
		for j := i; j <= len(text); j++ {
			if got := writeChunks(t, r, text[:i], text[i:j], text[j:]); got != want {
				t.Fatalf("split at %d and %d:\n got %q\nwant %q", i, j, got, want)
			}
		}
	}
}

func TestWriterByteAtATime(t *testing.T) {
	r, text := streamFixture()
	var chunks []string
	for i := range len(text) {
		chunks = append(chunks, text[i:i+1])
	}
	if got, want := writeChunks(t, r, chunks...), r.Mask(text); got != want {
		t.Errorf("byte at a time:\n got %q\nwant %q", got, want)
	}
}

func TestWriterPassesFinishedText(t *testing.T) {
	shapesOnly := &Redactor{}
	registered, _ := streamFixture()
	cases := []struct {
		name    string
		r       *Redactor
		in, now string
	}{
		{"a finished line goes out at once", registered,
			"Plan: 1 to create.\n", "Plan: 1 to create.\n"},
		{"a line start waits for its end", registered, "done\nregis", "done\n"},
		{"a masked line goes out masked", registered, "x other-secret-22\n", "x [MASKED]\n"},
		{"text shorter than a value waits", registered, "ready, set, ", ""},
		{"text longer than every value goes out", registered,
			"ready, set, and then some more, ", "ready, set, an"},
		{"without values text after a space goes out", shapesOnly,
			"ready, set, ", "ready, set, "},
		{"a trailing token run waits", shapesOnly, "token glpat-", "token "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := tc.r.Writer(&out)
			w.Write([]byte(tc.in))
			if got := out.String(); got != tc.now {
				t.Errorf("before Close: %q, want %q", got, tc.now)
			}
			w.Close()
			if got, want := out.String(), tc.r.Mask(tc.in); got != want {
				t.Errorf("after Close: %q, want %q", got, want)
			}
		})
	}
}

func TestWriterReportsErrors(t *testing.T) {
	var r Redactor
	w := r.Writer(failWriter{})
	if _, err := w.Write([]byte("line\n")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write = %v, want the underlying error", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fs.ErrClosed }

func TestRedactorConcurrentUse(t *testing.T) {
	var r Redactor
	var out bytes.Buffer
	w := r.Writer(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				v := fmt.Sprintf("secret-value-%d-%d", g, i)
				r.Add(v)
				if got := r.Mask("<" + v + ">"); got != "<[MASKED]>" {
					t.Errorf("Mask after Add: %q", got)
					return
				}
				fmt.Fprintf(w, "%s\n", v)
			}
		})
	}
	wg.Wait()
	w.Close()
	if got := strings.Count(out.String(), "[MASKED]\n"); got != 8*50 || strings.Contains(
		out.String(), "secret-value") {
		t.Errorf("%d of %d lines masked; output leaks: %v", got, 8*50,
			strings.Contains(out.String(), "secret-value"))
	}
}

func TestRedactorError(t *testing.T) {
	var r Redactor
	r.Add("registered-secret-1")
	base := fmt.Errorf("token registered-secret-1 refused: %w", fs.ErrPermission)
	err := r.Error(base)
	if got := err.Error(); got != "token [MASKED] refused: permission denied" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("masked error lost what it wraps")
	}
	plain := errors.New("nothing to hide")
	if r.Error(plain) != plain || r.Error(nil) != nil {
		t.Error("an error without secrets should come back unchanged")
	}
}
