// Command httpmod serves the title of an HTML document posted to it. It
// parses with golang.org/x/net/html at v0.7.0, a version with known
// vulnerabilities, in an HTTP handler that only net/http calls: the call
// path from main to the vulnerable html.Parse goes through the standard
// library and back into this module.
package main

import (
	"fmt"
	"log"
	"net/http"

	"golang.org/x/net/html"
)

// title returns the text of the document's first <title> element.
func title(n *html.Node) string {
	if n.Type == html.ElementNode && n.Data == "title" && n.FirstChild != nil {
		return n.FirstChild.Data
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if t := title(c); t != "" {
			return t
		}
	}
	return ""
}

// handleTitle parses the request body and writes its title.
func handleTitle(w http.ResponseWriter, r *http.Request) {
	doc, err := html.Parse(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintln(w, title(doc))
}

func main() {
	http.HandleFunc("/title", handleTitle)
	log.Fatal(http.ListenAndServe("localhost:8080", nil))
}
