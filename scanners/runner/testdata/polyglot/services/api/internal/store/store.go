// Package store builds queries.
package store

import (
	"database/sql"
	"fmt"
)

// DB is the store's database.
var DB *sql.DB

// Query looks a user up by name.
func Query(name string) string {
	rows, err := DB.Query("SELECT id FROM users WHERE name = '" + name + "'")
	if err != nil {
		fmt.Printf(err.Error())
		return ""
	}
	defer rows.Close()
	return name
}
