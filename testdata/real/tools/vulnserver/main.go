// Command vulnserver is a deliberately vulnerable web application for
// record.sh's DAST recordings. Never expose it: it listens on 127.0.0.1
// only and stops by itself after -for (default 5 minutes).
//
// Its flaws, each for a DAST scanner to find:
//
//   - GET /search?q= writes q into the page unescaped (reflected XSS).
//   - GET /item?id= answers a quote in id with a database error message
//     (what an SQL injection looks like from outside).
//   - GET /go?next= redirects to next, wherever it points (open redirect).
//   - Every page sets a session cookie without Secure and HttpOnly and
//     sends none of the security headers (Content-Security-Policy,
//     X-Frame-Options, X-Content-Type-Options, Strict-Transport-Security).
//
// Usage:
//
//	go run . -addr 127.0.0.1:8099 -for 5m
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "address to listen on (loopback only)")
	life := flag.Duration("for", 5*time.Minute, "stop after this long")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("vulnserver: %q is not a loopback address", *addr)
	}
	srv := &http.Server{Addr: *addr, Handler: app(), ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), *life)
	defer cancel()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func app() http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "3f9c2a7e", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>shop</title></head><body>%s</body></html>", body)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		page(w, `<a href="/search?q=shoes">search</a> <a href="/item?id=1">item</a> <a href="/go?next=/">home</a>
<form action="/search" method="GET"><input type="text" name="q" value="x"><input type="submit"></form>`)
	})
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		// The flaw on purpose: q is written unescaped.
		page(w, "<p>Results for "+r.URL.Query().Get("q")+"</p>")
	})
	mux.HandleFunc("/item", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		if strings.ContainsAny(id, `'"`) {
			// What a naive string-built query answers to a quote.
			http.Error(w, "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '"+id+"' at line 1", http.StatusInternalServerError)
			return
		}
		page(w, "<p>Item "+strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, id)+"</p>")
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		// The flaw on purpose: any target, even another site.
		http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusFound)
	})
	return mux
}
