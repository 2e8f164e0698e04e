package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/gitdiff"
)

// diffBaseFilter is --diff-base REF with --diff-mode MODE: a filter that
// suppresses, with a reason naming REF, every finding outside what the
// scanned tree changed since it left REF (git diff --merge-base REF, in
// reviewdog's filter modes added, diff_context and file). The findings stay
// in the report (and in full SARIF) but leave the gate and the PR formats
// (annotations, rdjsonl, markdown's counts). root is the scan root, inside
// a git work tree. An empty ref means no filter (nil).
func diffBaseFilter(ctx context.Context, root, ref, mode string) (aggregate.Filter, error) {
	if ref == "" {
		if mode != "" {
			return nil, usagef("--diff-mode %q needs --diff-base", mode)
		}
		return nil, nil
	}
	m, err := gitdiff.ParseMode(mode)
	if err != nil {
		return nil, usagef("--diff-mode: %v", err)
	}
	if root == "" {
		return nil, usagef("--diff-base needs the scanned tree (a TARGET or --root) to run git diff in")
	}
	c, err := gitdiff.Diff(ctx, root, ref)
	if err != nil {
		if errors.Is(err, gitdiff.ErrRef) || errors.Is(err, gitdiff.ErrGit) {
			hint := ""
			if strings.Contains(err.Error(), "merge base") || errors.Is(err, gitdiff.ErrRef) {
				hint = " (in CI, fetch the base's history: actions/checkout with fetch-depth: 0, or git fetch origin BRANCH)"
			}
			return nil, usagef("--diff-base %s: %v%s", ref, err, hint)
		}
		return nil, fmt.Errorf("--diff-base %s: %w", ref, err)
	}
	return gitdiff.NewFilter(c, m, ref), nil
}
