package iac

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseKube(t *testing.T) {
	src := `# leading comment
base: &base
  not: kubernetes
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    example.com/owner: team
spec:
  containers:
    - name: a
      image: nginx
      securityContext:
        runAsUser: 0
        privileged: yes
---
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: cm}
    data:
      port: "8080"
`
	kf, err := parseKube([]byte(src), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(kf.objects) != 2 || len(kf.summary) != 2 {
		t.Fatalf("%d objects, want 2 (the Pod and the List's ConfigMap)", len(kf.objects))
	}
	if s := kf.summary[0]; s.Kind != "Pod" || s.Name != "p" || s.Line != 5 || s.Path != "m.yaml" {
		t.Errorf("summary %+v", s)
	}
	if s := kf.summary[1]; s.Kind != "ConfigMap" || s.Line != 23 {
		t.Errorf("summary %+v", s)
	}
	for ptr, line := range map[string]int{
		"/0": 5,
		"/0/metadata/annotations/example.com~1owner":        10,
		"/0/spec/containers/0":                              13,
		"/0/spec/containers/0/securityContext/runAsUser":    16,
		"/0/spec/containers/0/securityContext/runAsNonRoot": 15, // unset: its parent
		"/1/data/port": 27,
	} {
		if sp, ok := kf.pos.lookup(ptr); !ok || sp.start != line {
			t.Errorf("line of %s = %v %v, want %d", ptr, sp, ok, line)
		}
	}
	sc := kf.objects[0].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["securityContext"].(map[string]any)
	if sc["runAsUser"] != json.Number("0") {
		t.Errorf("runAsUser = %#v, want the number 0", sc["runAsUser"])
	}
	if sc["privileged"] != "yes" { // YAML 1.2: yes is a string
		t.Errorf("privileged = %#v", sc["privileged"])
	}
}

func TestParseKubeAliasesAndMerge(t *testing.T) {
	src := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &c
      name: a
      securityContext: &sc
        privileged: true
    - <<: *c
      name: b
`
	kf, err := parseKube([]byte(src), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cs := kf.objects[0].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
	b := cs[1].(map[string]any)
	if b["name"] != "b" || b["securityContext"].(map[string]any)["privileged"] != true {
		t.Errorf("merged container %v", b)
	}
}

func TestParseKubeBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, err := parseKube([]byte(b.String()), "lol.yaml")
	if err != errTooManyNodes {
		t.Errorf("err = %v, want errTooManyNodes", err)
	}
}

func TestParseTerraform(t *testing.T) {
	src := `resource "aws_security_group" "web" {
  name = "web-${var.env}"
  tags = { Name = "web", Env = var.env }
  ingress {
    from_port   = 22
    to_port     = 22.5
    cidr_blocks = [
      var.office,
      "0.0.0.0/0",
    ]
  }
  ingress {
    self = true
  }
  dynamic "egress" {
    for_each = var.rules
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = "${aws_s3_bucket.b.id}"
}

data "aws_caller_identity" "me" {}
`
	tf, err := parseTerraform([]byte(src), "main.tf")
	if err != nil {
		t.Fatal(err)
	}
	web := tf.resources["aws_security_group"].(map[string]any)["web"].(map[string]any)
	want := map[string]any{
		"name": `"web-${var.env}"`,
		"tags": map[string]any{"Name": "web", "Env": "var.env"},
		"ingress": []any{
			map[string]any{"from_port": json.Number("22"), "to_port": json.Number("22.5"), "cidr_blocks": []any{"var.office", "0.0.0.0/0"}},
			map[string]any{"self": true},
		},
		"dynamic": []any{map[string]any{"for_each": "var.rules", "_labels": []any{"egress"}}},
	}
	if !reflect.DeepEqual(web, want) {
		gb, _ := json.MarshalIndent(web, "", " ")
		t.Errorf("web = %s", gb)
	}
	sse := tf.resources["aws_s3_bucket_server_side_encryption_configuration"].(map[string]any)["b"].(map[string]any)
	if sse["bucket"] != "aws_s3_bucket.b.id" {
		t.Errorf("template-wrapped reference = %q", sse["bucket"])
	}
	if len(tf.resources) != 2 {
		t.Errorf("resource types %v: data blocks are not resources", tf.resources)
	}
	for ptr, sp := range map[string]span{
		"/resource/aws_security_group/web":                         {1, 1},
		"/resource/aws_security_group/web/tags/Env":                {3, 3},
		"/resource/aws_security_group/web/ingress/0":               {4, 4},
		"/resource/aws_security_group/web/ingress/0/cidr_blocks":   {7, 10},
		"/resource/aws_security_group/web/ingress/0/cidr_blocks/1": {9, 9},
		"/resource/aws_security_group/web/ingress/1/self":          {13, 13},
		"/resource/aws_security_group/web/ingress/1/cidr_blocks":   {12, 12}, // unset: its block
	} {
		if got, ok := tf.pos.lookup(ptr); !ok || got != sp {
			t.Errorf("lines of %s = %v, want %v", ptr, got, sp)
		}
	}
}

func TestParseTerraformSyntaxError(t *testing.T) {
	src := "resource \"aws_db_instance\" \"ok\" {\n  publicly_accessible = true\n}\nresource \"x\" \"broken\" {\n  a = \n"
	tf, err := parseTerraform([]byte(src), "bad.tf")
	if err == nil {
		t.Fatal("no error for a syntax error")
	}
	if _, ok := tf.resources["aws_db_instance"]; !ok {
		t.Errorf("the resource before the error is lost: %v", tf.resources)
	}
}

func TestClassify(t *testing.T) {
	for name, want := range map[string]fileKind{
		"Dockerfile": kindDockerfile, "dockerfile": kindDockerfile, "api.Dockerfile": kindDockerfile,
		"Dockerfile.prod": kindDockerfile, "Containerfile": kindDockerfile,
		"Dockerfile.dockerignore": kindNone, "Dockerfile.md": kindNone, "Dockerfiles": kindNone,
		"deploy.yaml": kindYAML, "x.YML": kindYAML, "main.tf": kindTerraform, "main.tf.json": kindNone,
		"README.md": kindNone,
	} {
		if got := classify(name); got != want {
			t.Errorf("classify(%q) = %v, want %v", name, got, want)
		}
	}
}
