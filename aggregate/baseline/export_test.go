package baseline

// AlsoReportedHead is alsoReportedHead, for the tests.
const AlsoReportedHead = alsoReportedHead
