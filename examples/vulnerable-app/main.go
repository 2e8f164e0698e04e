// Command vulnerable-app is a deliberately vulnerable web server for
// scanmux's tests. INTENTIONALLY INSECURE: see README.md.
package main

import (
	"crypto/md5"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/net/html"
)

// githubToken is a hard-coded credential (a random fake).
var githubToken = "ghp_R8v2Lq9Xw3Tz6Km1Np4Hs7Bd0Fg5Jc8Ye2Ua"

var tlsClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

var db *sql.DB

func hashPassword(pw string) string {
	sum := md5.Sum([]byte(pw))
	return hex.EncodeToString(sum[:])
}

func newSessionID() string {
	return fmt.Sprintf("%016x", rand.Int63())
}

func userHandler(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	query := fmt.Sprintf("SELECT name FROM users WHERE id = '%s'", id)
	if db == nil {
		fmt.Fprintf(w, "would run: %s\n", query)
		return
	}
	rows, err := db.Query(query)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
}

func pingHandler(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	cmd := exec.Command("sh", "-c", "ping -c 1 "+host)
	if os.Getenv("VULNAPP_ALLOW_EXEC") != "1" {
		fmt.Fprintf(w, "would run: %s\n", strings.Join(cmd.Args, " "))
		return
	}
	out, _ := cmd.CombinedOutput()
	w.Write(out)
}

func searchHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	// Reflected without escaping, and no security headers anywhere.
	fmt.Fprintf(w, "<html><body><h1>Results for %s</h1><a href=\"/search?q=go\">again</a></body></html>", q)
}

func indexHandler(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "session", Value: newSessionID()})
	doc, err := html.Parse(strings.NewReader(`<a href="/search?q=test">search</a> <a href="/user?id=1">user</a> <a href="/ping?host=localhost">ping</a>`))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	html.Render(w, doc)
}

func main() {
	_ = hashPassword("admin")
	_ = tlsClient
	_ = githubToken
	port := os.Getenv("PORT")
	if port == "" {
		port = "8089"
	}
	http.HandleFunc("/", indexHandler)
	http.HandleFunc("/search", searchHandler)
	http.HandleFunc("/user", userHandler)
	http.HandleFunc("/ping", pingHandler)
	addr := "127.0.0.1:" + port
	log.Printf("vulnerable-app (INTENTIONALLY INSECURE) listening on http://%s/", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
