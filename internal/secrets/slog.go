package secrets

import (
	"context"
	"fmt"
	"log/slog"
)

// Handler returns a slog.Handler that masks each record's message and the
// values of its attributes, groups included, before passing it to h. Values
// that are neither strings nor numbers, times, durations or booleans (errors,
// structs, byte slices) are formatted with %v and masked as strings.
func (r *Redactor) Handler(h slog.Handler) slog.Handler {
	return &maskHandler{r: r, h: h}
}

type maskHandler struct {
	r *Redactor
	h slog.Handler
}

func (mh *maskHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return mh.h.Enabled(ctx, l)
}

func (mh *maskHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, mh.r.Mask(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(mh.r.maskAttr(a))
		return true
	})
	return mh.h.Handle(ctx, out)
}

func (mh *maskHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = mh.r.maskAttr(a)
	}
	return &maskHandler{r: mh.r, h: mh.h.WithAttrs(masked)}
}

func (mh *maskHandler) WithGroup(name string) slog.Handler {
	return &maskHandler{r: mh.r, h: mh.h.WithGroup(name)}
}

func (r *Redactor) maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		v = slog.StringValue(r.Mask(v.String()))
	case slog.KindGroup:
		group := v.Group()
		masked := make([]slog.Attr, len(group))
		for i, g := range group {
			masked[i] = r.maskAttr(g)
		}
		v = slog.GroupValue(masked...)
	case slog.KindAny:
		v = slog.StringValue(r.Mask(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
