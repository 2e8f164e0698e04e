// Package codescanning uploads SARIF logs to GitHub code scanning, as
// github/codeql-action's upload-sarif does, with the checks GitHub makes
// done before anything is sent.
//
// # The contract
//
// An upload is POST /repos/{owner}/{repo}/code-scanning/sarifs with a JSON
// body: commit_sha, ref, sarif (the log gzip-compressed, then base64),
// and optionally checkout_uri, started_at and tool_name. GitHub answers
// 202 with the upload's id; GET /repos/{owner}/{repo}/code-scanning/sarifs/{id}
// then says whether processing is pending, complete (with the analyses'
// URL) or failed (with GitHub's errors). Every request carries
// Accept: application/vnd.github+json and X-GitHub-Api-Version: 2022-11-28.
//
// [Client.Upload] sends one log, retrying with backoff on 5xx answers,
// transport errors and secondary rate limits (honouring Retry-After) and
// never on another 4xx; [Client.Wait] polls the upload until it is
// processed or a bound passes. Errors GitHub returns are an [*APIError]
// that keeps its message verbatim and explains 403, 404 and 413.
//
// # Pre-flight
//
// [Check] reads the log as GitHub will and refuses, before any request,
// what GitHub would reject: a compressed size over 10 MiB, more than 20
// runs, 25,000 results or rules in a run, 1,000 locations or 10,000
// thread-flow locations in a result, 20 tags on a rule, 100 extensions,
// two runs of one tool with one category, a URI whose scheme differs from
// the checkout URI's, a security-severity that is not a number from 0 to
// 10, a run without results. Each problem names its run and result. A log
// that a failed scanmux run wrote with --partial is refused with
// [ErrPartialLog] unless the caller forces it: its missing findings would
// close open alerts.
//
// # Where to upload
//
// [Detect] fills in the repository, commit, ref and checkout URI from
// GitHub Actions' GITHUB_* variables, or from git when they are not set.
package codescanning
