package app

import (
	"crypto/md5"
	"database/sql"
	"fmt"
)

const password = "hunter2-s3cr3t-value" // #nosec G101 -- test fixture, not a real credential

// #nosec G401
var h = md5.New()

func q(db *sql.DB, id string) { db.Query(fmt.Sprintf("SELECT * FROM t WHERE id=%s", id)) } //nolint:gosec

const token = "ghp_0123456789abcdefABCDEF0123456789abcd" // gitleaks:allow

func other(db *sql.DB, id string) { db.Query("SELECT " + id) } // #nosec G101

// scanmux:ignore semgrep/go.lang.security.audit.sqli -- parameterized upstream
func third(db *sql.DB, id string) { db.Query("SELECT " + id) }

func legacy() {} // NOSONAR
