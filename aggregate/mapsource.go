package aggregate

import (
	"context"

	"github.com/scanmux/scanmux/finding"
)

// MapSource returns a Source that runs src and passes each finding it
// emits through fn first: fn may change the finding, and drops it by
// returning false. The result has src's name, and passes on src's
// warnings ([Warner]) and coverage ([Coverer]). It is how a program
// rewrites paths, re-categorizes a tool or keeps some files' findings
// without writing a Source of its own.
func MapSource(src Source, fn func(*finding.Finding) (keep bool)) Source {
	return &mapSource{Source: src, fn: fn}
}

type mapSource struct {
	Source
	fn func(*finding.Finding) bool
}

func (s *mapSource) Run(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	return s.Source.Run(ctx, func(f *finding.Finding) error {
		if f == nil || !s.fn(f) {
			return nil
		}
		return emit(f)
	})
}

// Warnings implements [Warner].
func (s *mapSource) Warnings() []string {
	if w, ok := s.Source.(Warner); ok {
		return w.Warnings()
	}
	return nil
}

// Coverage implements [Coverer].
func (s *mapSource) Coverage() string {
	if c, ok := s.Source.(Coverer); ok {
		return c.Coverage()
	}
	return ""
}
