// Package fit finds how many of a log's results, ranked most important
// first, the writer of package sarif keeps for the log to stay under a
// limit on its compressed size (GitHub's 10 MiB of gzip), measuring few
// logs.
//
// The caller supplies the log as a [Log]: it can be measured keeping its
// first k results, and after a measure it can estimate each result's
// share of the compressed size (in package sarif, a result's encoded size
// times the compression ratio of the part of the log it is in). [Search]
// measures the log without results, then interpolates: the next count is
// where the estimated shares of the results between the most that fit and
// the fewest that do not, scaled to the sizes measured at those counts,
// reach the limit less 1%. It stops within 2% of the limit, at one result
// of the answer, or after a bounded number of measures, and returns the
// most results known to fit. The search is deterministic: the same log
// and limit give the same count, so the writer's output is the same.
package fit
