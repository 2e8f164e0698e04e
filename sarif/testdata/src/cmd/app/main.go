package main

import (
	"database/sql"
	"net/http"
)

func handler(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		query := "SELECT * FROM users WHERE name = '" + name + "'"
		rows, _ := db.Query(query)
		defer rows.Close()
	}
}
