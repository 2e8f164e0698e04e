// Package ci tests the CI integrations shipped in the repository: the
// composite GitHub Action (action.yml at the root), the pre-commit hook
// (.pre-commit-hooks.yaml) and the GitLab CI template
// (ci/gitlab/scanmux.gitlab-ci.yml). Its tests check each file with the
// tool made for it when it is installed (actionlint, shellcheck,
// pre-commit validate-manifest) and run the commands each one runs, on
// examples/vulnerable-app, against a local GitHub API
// (codescanning/codescanningtest) for the upload. It has no API.
package ci
