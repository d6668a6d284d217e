package secrets

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestHandlerMasks(t *testing.T) {
	secret := "registered-secret-1"
	token := "glpat-" + run20
	cases := []struct {
		name string
		log  func(l *slog.Logger)
		want string
	}{
		{"message", func(l *slog.Logger) { l.Info("sent " + secret) }, `msg="sent [MASKED]"`},
		{"string attr", func(l *slog.Logger) { l.Info("m", "header", "Bearer "+token) },
			`header="Bearer [MASKED]"`},
		{"error attr", func(l *slog.Logger) { l.Info("m", "err", errors.New("bad "+secret)) },
			`err="bad [MASKED]"`},
		{"any attr", func(l *slog.Logger) { l.Info("m", "v", []string{secret}) },
			`v=[[MASKED]]`},
		{"group", func(l *slog.Logger) {
			l.Info("m", slog.Group("req", "url", "https://x/?private_token="+secret))
		}, `req.url="https://x/?private_token=[MASKED]"`},
		{"with attrs", func(l *slog.Logger) { l.With("token", token).Info("m") },
			`token=[MASKED]`},
		{"with group", func(l *slog.Logger) { l.WithGroup("g").Info("m", "s", secret) },
			`g.s=[MASKED]`},
		{"numbers stay numbers", func(l *slog.Logger) {
			l.Info("m", "status", 200, "took", 3*time.Millisecond, "ok", true)
		}, `status=200 took=3ms ok=true`},
		{"log valuer", func(l *slog.Logger) { l.Info("m", "v", valuer{secret}) },
			`v="value [MASKED]"`},
	}
	var r Redactor
	r.Add(secret)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := slog.NewTextHandler(&buf, &slog.HandlerOptions{
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			})
			tc.log(slog.New(r.Handler(h)))
			out := buf.String()
			if !strings.Contains(out, tc.want) {
				t.Errorf("log line %q does not hold %q", out, tc.want)
			}
			if strings.Contains(out, secret) || strings.Contains(out, token) {
				t.Errorf("log line leaks a secret: %q", out)
			}
		})
	}
}

type valuer struct{ s string }

func (v valuer) LogValue() slog.Value { return slog.StringValue("value " + v.s) }

func TestHandlerEnabledFollowsInner(t *testing.T) {
	var r Redactor
	h := r.Handler(slog.NewTextHandler(&bytes.Buffer{},
		&slog.HandlerOptions{Level: slog.LevelWarn}))
	if h.Enabled(t.Context(), slog.LevelInfo) || !h.Enabled(t.Context(), slog.LevelError) {
		t.Error("Enabled does not follow the wrapped handler's level")
	}
}
