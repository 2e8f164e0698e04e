package policy

import (
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/ast"
)

// inputSchema is the JSON schema of the input document. Load type-checks the
// policies against it, so that a misspelt field (input.finding.severty) is
// a compile error with its file and line, not a rule that never fires.
// input.context is free-form.
const inputSchema = `{
  "type": "object",
  "properties": {
    "context": {"type": "object", "additionalProperties": true},
    "finding": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "tool": {"type": "object", "additionalProperties": false, "properties": {
          "name": {"type": "string"}, "version": {"type": "string"}}},
        "rule": {"type": "object", "additionalProperties": false, "properties": {
          "id": {"type": "string"}, "name": {"type": "string"},
          "tags": {"type": "array", "items": {"type": "string"}}}},
        "message": {"type": "string"},
        "category": {"type": "string", "enum": ["sast", "secret", "iac", "dependency", "container", "dast", "other"]},
        "severity": {"type": "string", "enum": ["critical", "high", "medium", "low", "info", ""]},
        "originalSeverity": {"type": "string"},
        "precision": {"type": "string", "enum": ["very-high", "high", "medium", "low", ""]},
        "cwes": {"type": "array", "items": {"type": "integer"}},
        "vulnIds": {"type": "array", "items": {"type": "string"}},
        "location": {"type": "object", "additionalProperties": false, "properties": {
          "path": {"type": "string"},
          "startLine": {"type": "integer"},
          "endLine": {"type": "integer"},
          "resource": {"type": "string"},
          "package": {"type": "object", "additionalProperties": false, "properties": {
            "name": {"type": "string"}, "version": {"type": "string"},
            "fixedVersion": {"type": "string"}, "ecosystem": {"type": "string"},
            "purl": {"type": "string"}, "image": {"type": "string"}}},
          "web": {"type": "object", "additionalProperties": false, "properties": {
            "url": {"type": "string"}, "method": {"type": "string"}, "parameter": {"type": "string"}}}}},
        "fingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
        "properties": {"type": "object", "additionalProperties": {"type": "string"}},
        "suppressed": {"type": "boolean"},
        "suppressions": {"type": "array", "items": {"type": "object", "additionalProperties": false, "properties": {
          "kind": {"type": "string"}, "status": {"type": "string"},
          "justification": {"type": "string"}, "source": {"type": "string"}}}}
      }
    }
  }
}`

// inputSchemas returns the schema set the compiler checks input against.
func inputSchemas() *ast.SchemaSet {
	var schema any
	if err := json.Unmarshal([]byte(inputSchema), &schema); err != nil {
		panic("policy: bad input schema: " + err.Error())
	}
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, schema)
	return ss
}
