// Command api serves records from the store.
package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"

	"golang.org/x/net/html"

	"example.com/api/internal/store"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		fmt.Fprintln(w, html.EscapeString(store.Query(name)))
	})
	if hook := os.Getenv("API_HOOK"); hook != "" {
		_ = exec.Command(hook).Run()
	}
	_ = http.ListenAndServe("127.0.0.1:8080", nil)
}
