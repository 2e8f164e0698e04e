package iac_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners/iac"
)

const benchManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-%[1]d}
  template:
    metadata:
      labels: {app: app-%[1]d}
    spec:
      containers:
        - name: app
          image: registry.example.com/app-%[1]d:1.%[1]d.0
          ports: [{containerPort: 8080}]
          env:
            - {name: MODE, value: production}
            - {name: WORKERS, value: "4"}
          resources:
            limits: {cpu: 500m, memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: %[3]t
            runAsNonRoot: true
        - name: sidecar
          image: registry.example.com/proxy:latest
          securityContext:
            privileged: %[3]t
---
apiVersion: v1
kind: Service
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
spec:
  selector: {app: app-%[1]d}
  ports: [{port: 80, targetPort: 8080}]
`

const benchDockerfile = `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app-%[1]d ./cmd/app
FROM debian:12-slim
COPY --from=build /out/app-%[1]d /app
ENV APP_TOKEN=%[1]d
RUN curl -fsSL https://example.com/setup.sh | sh
USER %[2]s
`

const benchTerraform = `resource "aws_s3_bucket" "b%[1]d" {
  bucket = "bucket-%[1]d"
  acl    = "%[2]s"
}

resource "aws_security_group" "sg%[1]d" {
  name = "sg-%[1]d"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "db%[1]d" {
  identifier        = "db-%[1]d"
  storage_encrypted = true
}
`

func benchScan(b *testing.B, root string, nfiles int) {
	s, err := iac.New()
	if err != nil {
		b.Fatal(err)
	}
	req := &plugin.Request{Target: plugin.Target{Kind: plugin.TargetDirectory, Root: root}}
	n := 0
	out := plugin.EmitFuncs{OnFinding: func(*finding.Finding) error { n++; return nil }}
	b.ResetTimer()
	for b.Loop() {
		n = 0
		if err := s.Scan(context.Background(), req, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(nfiles)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(n), "findings/op")
}

// BenchmarkScan scans a generated tree of 200 Kubernetes manifests (400
// objects) in 20 namespaces.
func BenchmarkScan(b *testing.B) {
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("k8s/team-%d/app-%d.yaml", i%20, i)] = fmt.Sprintf(benchManifest, i, i%20, i%2 == 0)
	}
	benchScan(b, writeTree(b, files), len(files))
}

// BenchmarkScanMixed1000 scans a generated repository of 1,000 IaC files:
// 400 manifests, 300 Dockerfiles and 300 .tf files in 30 modules.
func BenchmarkScanMixed1000(b *testing.B) {
	files := map[string]string{}
	for i := range 400 {
		files[fmt.Sprintf("deploy/ns-%d/app-%d.yaml", i%25, i)] = fmt.Sprintf(benchManifest, i, i%25, i%3 == 0)
	}
	for i := range 300 {
		files[fmt.Sprintf("services/svc-%d/Dockerfile", i)] = fmt.Sprintf(benchDockerfile, i, []string{"root", "10001"}[i%2])
	}
	for i := range 300 {
		files[fmt.Sprintf("infra/mod-%d/r%d.tf", i%30, i)] = fmt.Sprintf(benchTerraform, i, []string{"private", "public-read"}[i%2])
	}
	benchScan(b, writeTree(b, files), len(files))
}
