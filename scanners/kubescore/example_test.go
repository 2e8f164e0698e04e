package kubescore_test

import (
	"fmt"
	"log"
	"os"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/kubescore"
)

// Decode kube-score's JSON output and print its critical findings on the
// privileged pod.
func ExampleAdapter_Decode() {
	fh, err := os.Open("testdata/kube-score-1.20.0.json")
	if err != nil {
		log.Fatal(err)
	}
	defer fh.Close()
	opts := &scanners.Options{Root: "/work/main"} // where the output was made
	_, err = kubescore.Adapter{}.Decode(fh, "kube-score.json", opts, func(f *finding.Finding) error {
		if f.Location.Resource == "Pod/tools/debug-shell" && f.Rule.ID == "container-security-context-user-group-id" {
			fmt.Printf("%s %s:%d [%s] %s\n", f.Severity, f.Location.Path, f.Location.Region.StartLine, f.Rule.ID, f.Message)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// high scanners/kubescore/testdata/privileged-pod.yaml:1 [container-security-context-user-group-id] The container is running with a low user ID (shell)
	// high scanners/kubescore/testdata/privileged-pod.yaml:1 [container-security-context-user-group-id] The container running with a low group ID (shell)
}
