// Command realsample is a deliberately vulnerable program: every flaw in it
// is there for a scanner to find. Never run it; never copy from it.
package main

import (
	"crypto/md5"
	"database/sql"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/net/html"
)

// Fake credentials (random, not real): gosec G101 and gitleaks.
const awsAccessKeyID = "AKIAZ7Q4RM2XW5TBN3KH"
const awsSecretAccessKey = "Aek6k+y6D7vGjM0UlOx3d2eyqyxq3ognVHpggIdO"

var dbPassword = "SNyuO3DxsgTCwIQyRAy7"

var unusedCounter int

func lookupUser(db *sql.DB, name string) (*sql.Rows, error) {
	query := fmt.Sprintf("SELECT id, email FROM users WHERE name = '%s'", name)
	return db.Query(query)
}

func runTool(arg string) error {
	cmd := exec.Command("sh", "-c", "ls "+arg)
	return cmd.Run()
}

func weakHash(data []byte) string {
	return fmt.Sprintf("%x", md5.Sum(data))
}

func greet(w http.ResponseWriter, name string) string {
	fmt.Fprintf(w, name)
	return strings.Replace(name, "admin", "user", 0)
}

func token() int {
	return rand.Intn(1 << 30)
}

func ping(addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	conn.Write([]byte("ping\n"))
	conn.Close()
}

func pong(addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	conn.Write([]byte("pong\n"))
	conn.Close()
}

func hello(addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	conn.Close()
}

func handler(w http.ResponseWriter, r *http.Request) {
	doc, err := html.Parse(strings.NewReader(r.URL.Query().Get("page")))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintln(w, doc.FirstChild != nil)
	greet(w, r.URL.Query().Get("name"))
}

func main() {
	db, _ := sql.Open("postgres", "postgres://app:"+dbPassword+"@localhost/app")
	if len(os.Args) > 1 {
		lookupUser(db, os.Args[1])
		runTool(os.Args[1])
	}
	fmt.Println(weakHash([]byte(awsAccessKeyID+awsSecretAccessKey)), token())
	ping("127.0.0.1:9")
	pong("127.0.0.1:9")
	hello("127.0.0.1:9")
	http.HandleFunc("/", handler)
	http.ListenAndServe(":8080", nil)
}
