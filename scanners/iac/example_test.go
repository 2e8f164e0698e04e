package iac_test

import (
	"context"
	"fmt"
	"log"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/iac"
)

// Scan the repository's deliberately insecure sample application.
func ExampleScanner_Scan() {
	s, err := iac.New() // compiles the rules once; reuse the scanner
	if err != nil {
		log.Fatal(err)
	}
	req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: "../../examples/vulnerable-app"}}
	err = s.Scan(context.Background(), req, plugin.EmitFuncs{
		OnFinding: func(f *finding.Finding) error {
			fmt.Printf("%s %s:%d %s\n", f.Rule.ID, f.Location.Path, f.Location.Region.StartLine, f.Severity)
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// SMX-DOCKER-001 Dockerfile:2 medium
	// SMX-DOCKER-002 Dockerfile:2 medium
	// SMX-DOCKER-004 Dockerfile:4 low
	// SMX-DOCKER-005 Dockerfile:5 high
	// SMX-K8S-006 k8s/deployment.yaml:19 medium
	// SMX-K8S-007 k8s/deployment.yaml:20 low
	// SMX-K8S-009 k8s/deployment.yaml:23 low
	// SMX-K8S-001 k8s/deployment.yaml:24 high
	// SMX-K8S-002 k8s/deployment.yaml:25 medium
	// SMX-K8S-003 k8s/deployment.yaml:26 medium
	// SMX-TF-003 terraform/main.tf:2 low
	// SMX-TF-001 terraform/main.tf:4 high
	// SMX-TF-002 terraform/main.tf:9 medium
	// SMX-TF-002 terraform/main.tf:10 medium
	// SMX-TF-002 terraform/main.tf:11 medium
	// SMX-TF-002 terraform/main.tf:12 medium
	// SMX-TF-004 terraform/main.tf:21 high
	// SMX-K8S-010 k8s/deployment.yaml:3 medium
}

// The rule catalog comes from the Rego rules' METADATA annotations.
func ExampleScanner_Describe() {
	s, err := iac.New()
	if err != nil {
		log.Fatal(err)
	}
	info, err := s.Describe(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range info.Rules[:3] {
		fmt.Printf("%s %s: %s\n", r.ID, r.Name, r.ShortDescription)
	}
	// Output:
	// SMX-DOCKER-001 DockerBaseImageNotPinned: Base image not pinned to a version
	// SMX-DOCKER-002 DockerRunsAsRoot: Container runs as root
	// SMX-DOCKER-003 DockerAddRemoteWithoutChecksum: ADD downloads a remote file without a checksum
}
