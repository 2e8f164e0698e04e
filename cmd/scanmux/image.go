package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/containerimage"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/runner"
)

// scanImages are the images of scan's --image flags, opened before the
// scanners run: each is read (or pulled) once, and every image scanner
// reads the same `docker save` archive of it.
type scanImages struct {
	images     []*containerimage.Image
	annotators []*containerimage.Annotator
}

// openImages opens the images refs name, with the Dockerfile that built
// them (dockerfile, a path from the current directory under root, or "").
// An image that cannot be read or pulled, or a Dockerfile that cannot be
// read, is a usage error, as an unreadable --import is.
func openImages(ctx context.Context, refs []string, dockerfile, root string) (*scanImages, error) {
	si := &scanImages{}
	if dockerfile != "" && len(refs) == 0 {
		return si, usagef("--dockerfile %s: it attaches the findings of --image scans; no --image given", dockerfile)
	}
	var df *containerimage.Dockerfile
	if dockerfile != "" {
		abs, err := filepath.Abs(dockerfile)
		if err != nil {
			return si, usageError{err}
		}
		if df, err = containerimage.ReadDockerfile(root, abs); err != nil {
			return si, usagef("--dockerfile: %v (it must be a file under the scanned directory %s)", err, root)
		}
	}
	for _, ref := range refs {
		im, err := containerimage.Open(ctx, ref, nil)
		if err != nil {
			si.Close()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, usageError{fmt.Errorf("--image: %w", err)}
		}
		si.images = append(si.images, im)
		si.annotators = append(si.annotators, containerimage.NewAnnotator(im, df))
	}
	return si, nil
}

// Close removes the archives written for the scanners.
func (si *scanImages) Close() error {
	var errs []error
	for _, im := range si.images {
		errs = append(errs, im.Close())
	}
	return errors.Join(errs...)
}

// sources returns a source per image for the image scanner s: the tool
// runs on the image's archive, and its findings become container findings
// of the image as the user named it (see containerimage.Annotator).
func (si *scanImages) sources(s *runner.Scanner, root string, opts map[string]string) []aggregate.Source {
	var out []aggregate.Source
	for i, im := range si.images {
		req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetImage, Image: im.Archive, Root: root}, Options: opts}
		ann := si.annotators[i]
		out = append(out, aggregate.MapSource(s.Source(s.Tool.Name+" "+im.Ref, req), func(f *finding.Finding) bool {
			ann.Annotate(f)
			return true
		}))
	}
	return out
}
