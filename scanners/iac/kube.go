package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// kubeObject is the summary of a Kubernetes object that the cluster-wide
// rules see, with the line it starts at.
type kubeObject struct {
	APIVersion string
	Kind       string
	Name       string
	Namespace  string
	Path       string
	Line       int
	snippet    string // the source line at Line, kept for the finding
}

// kubeFile is a parsed manifest file: its objects (the Rego document), the
// lines of their nodes, and their summaries.
type kubeFile struct {
	objects []any
	pos     positions
	summary []kubeObject
}

// maxYAMLNodes bounds the nodes converted from one file, so that alias
// expansion ("billion laughs") cannot exhaust memory.
const maxYAMLNodes = 1 << 20

// errTooManyNodes means a YAML file expands to more than maxYAMLNodes nodes.
var errTooManyNodes = errors.New("too many YAML nodes (alias expansion?)")

// looksLikeKubernetes is a cheap test run before parsing a YAML file.
func looksLikeKubernetes(data []byte) bool {
	return bytes.Contains(data, []byte("apiVersion")) && bytes.Contains(data, []byte("kind"))
}

// parseKube parses the Kubernetes objects of a multi-document YAML file:
// every document whose root is a mapping with string apiVersion and kind;
// a List's items are objects too. Other documents are skipped. On a syntax
// error it returns the objects before it and the error.
func parseKube(data []byte, relPath string) (*kubeFile, error) {
	kf := &kubeFile{objects: []any{}, pos: positions{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	c := &yamlConverter{pos: kf.pos}
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return kf, nil
		}
		if err != nil {
			return kf, err
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		_, kind, ok := kubeHeader(root)
		if !ok {
			continue
		}
		if strings.HasSuffix(kind, "List") {
			if items := mappingValue(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
				for _, it := range items.Content {
					if err := c.addObject(kf, it, relPath); err != nil {
						return kf, err
					}
				}
				continue
			}
		}
		if err := c.addObject(kf, root, relPath); err != nil {
			return kf, err
		}
	}
}

// addObject converts one object node and records it.
func (c *yamlConverter) addObject(kf *kubeFile, n *yaml.Node, relPath string) error {
	apiVersion, kind, ok := kubeHeader(n)
	if !ok {
		return nil
	}
	ptr := "/" + strconv.Itoa(len(kf.objects))
	v, err := c.convert(n, ptr, n.Line)
	if err != nil {
		return err
	}
	kf.objects = append(kf.objects, v)
	o := kubeObject{APIVersion: apiVersion, Kind: kind, Path: relPath, Line: n.Line}
	if md, ok := v.(map[string]any)["metadata"].(map[string]any); ok {
		o.Name, _ = md["name"].(string)
		o.Namespace, _ = md["namespace"].(string)
	}
	kf.summary = append(kf.summary, o)
	return nil
}

// kubeHeader returns the apiVersion and kind of a mapping node that has
// both as strings.
func kubeHeader(n *yaml.Node) (apiVersion, kind string, ok bool) {
	if n.Kind != yaml.MappingNode {
		return "", "", false
	}
	a, k := mappingValue(n, "apiVersion"), mappingValue(n, "kind")
	if a == nil || k == nil || a.Kind != yaml.ScalarNode || k.Kind != yaml.ScalarNode || k.Value == "" {
		return "", "", false
	}
	return a.Value, k.Value, true
}

// mappingValue returns the value of key in mapping node n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// yamlConverter turns YAML nodes into JSON-like values, recording the line
// of every node under its JSON pointer.
type yamlConverter struct {
	pos   positions
	nodes int
}

// convert converts n, at pointer ptr, whose key (or sequence entry) is on
// line keyLine.
func (c *yamlConverter) convert(n *yaml.Node, ptr string, keyLine int) (any, error) {
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, errTooManyNodes
	}
	c.pos.set(ptr, keyLine, keyLine)
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		return c.convert(n.Alias, ptr, keyLine)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], ptr, keyLine)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, it := range n.Content {
			v, err := c.convert(it, ptr+"/"+strconv.Itoa(i), it.Line)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merges = append(merges, v)
				continue
			}
			key := k.Value
			if k.Kind != yaml.ScalarNode {
				key = fmt.Sprintf("%v", k.Value)
			}
			cv, err := c.convert(v, child(ptr, key), k.Line)
			if err != nil {
				return nil, err
			}
			out[key] = cv
		}
		// Merge keys: fields of the merged mappings that are not set here.
		for _, m := range merges {
			srcs := []*yaml.Node{m}
			if m.Kind == yaml.SequenceNode {
				srcs = m.Content
			}
			for _, s := range srcs {
				mv, err := c.convert(s, ptr+"/<<", m.Line)
				if err != nil {
					return nil, err
				}
				if mm, ok := mv.(map[string]any); ok {
					for k, v := range mm {
						if _, set := out[k]; !set {
							out[k] = v
						}
					}
				}
			}
			delete(c.pos, ptr+"/<<")
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

// scalar converts a scalar node by its resolved tag.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return json.Number(n.Value)
		}
		var i int64
		if n.Decode(&i) == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			if s := strconv.FormatFloat(f, 'g', -1, 64); json.Valid([]byte(s)) {
				return json.Number(s)
			}
		}
	}
	return n.Value
}
