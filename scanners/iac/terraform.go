package iac

import (
	"encoding/json"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// tfFile is a parsed Terraform file: its resources as
// {"resource": {TYPE: {NAME: body}}} and the lines of their nodes.
type tfFile struct {
	resources map[string]any // TYPE -> NAME -> body
	pos       positions
}

// parseTerraform parses the resource blocks of a .tf file. Attributes whose
// expressions are literals are evaluated; other expressions become their
// source text. On syntax errors it returns what it could parse and the
// diagnostics.
func parseTerraform(data []byte, name string) (*tfFile, error) {
	tf := &tfFile{resources: map[string]any{}, pos: positions{}}
	file, diags := hclsyntax.ParseConfig(data, name, hcl.Pos{Line: 1, Column: 1, Byte: 0})
	var err error
	if diags.HasErrors() {
		err = diags
	}
	if file == nil {
		return tf, err
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return tf, err
	}
	c := &hclConverter{src: data, pos: tf.pos}
	for _, b := range body.Blocks {
		if b.Type != "resource" || len(b.Labels) != 2 {
			continue
		}
		typ, rname := b.Labels[0], b.Labels[1]
		byName, _ := tf.resources[typ].(map[string]any)
		if byName == nil {
			byName = map[string]any{}
			tf.resources[typ] = byName
		}
		ptr := "/resource/" + typ + "/" + rname
		tf.pos.set(ptr, b.TypeRange.Start.Line, b.TypeRange.Start.Line)
		byName[rname] = c.body(b.Body, ptr)
	}
	return tf, err
}

// hclConverter converts HCL bodies and expressions into JSON-like values.
type hclConverter struct {
	src []byte
	pos positions
}

// body converts a block body: attributes by name, nested blocks as arrays
// of bodies by block type (with "_labels" for labelled nested blocks, such
// as dynamic blocks).
func (c *hclConverter) body(b *hclsyntax.Body, ptr string) map[string]any {
	out := make(map[string]any, len(b.Attributes)+len(b.Blocks))
	for name, a := range b.Attributes {
		p := child(ptr, name)
		c.pos.set(p, a.SrcRange.Start.Line, a.SrcRange.End.Line)
		out[name] = c.expr(a.Expr, p)
	}
	for _, nb := range b.Blocks {
		list, _ := out[nb.Type].([]any)
		p := child(ptr, nb.Type) + "/" + strconv.Itoa(len(list))
		c.pos.set(p, nb.TypeRange.Start.Line, nb.TypeRange.Start.Line)
		v := c.body(nb.Body, p)
		if len(nb.Labels) > 0 {
			labels := make([]any, len(nb.Labels))
			for i, l := range nb.Labels {
				labels[i] = l
			}
			v["_labels"] = labels
		}
		out[nb.Type] = append(list, v)
	}
	return out
}

// expr converts an expression: tuples and objects element by element (so
// that one reference does not hide the literals beside it), other
// expressions by evaluating them without variables or functions, or else
// as their source text.
func (c *hclConverter) expr(e hclsyntax.Expression, ptr string) any {
	switch x := e.(type) {
	case *hclsyntax.TupleConsExpr:
		out := make([]any, len(x.Exprs))
		for i, el := range x.Exprs {
			p := ptr + "/" + strconv.Itoa(i)
			r := el.Range()
			c.pos.set(p, r.Start.Line, r.End.Line)
			out[i] = c.expr(el, p)
		}
		return out
	case *hclsyntax.ObjectConsExpr:
		out := make(map[string]any, len(x.Items))
		for _, it := range x.Items {
			kv, diags := it.KeyExpr.Value(nil)
			var key string
			if !diags.HasErrors() && kv.Type() == cty.String && kv.IsKnown() && !kv.IsNull() {
				key = kv.AsString()
			} else {
				key = c.text(it.KeyExpr.Range())
			}
			p := child(ptr, key)
			r := hcl.RangeBetween(it.KeyExpr.Range(), it.ValueExpr.Range())
			c.pos.set(p, r.Start.Line, r.End.Line)
			out[key] = c.expr(it.ValueExpr, p)
		}
		return out
	case *hclsyntax.TemplateWrapExpr:
		// "${aws_s3_bucket.b.id}" is the reference itself.
		if v, diags := x.Value(nil); !diags.HasErrors() && v.IsWhollyKnown() {
			return ctyToGo(v)
		}
		return c.text(x.Wrapped.Range())
	}
	if v, diags := e.Value(nil); !diags.HasErrors() && v.IsWhollyKnown() {
		return ctyToGo(v)
	}
	return c.text(e.Range())
}

// text returns the source text of a range.
func (c *hclConverter) text(r hcl.Range) string {
	if r.Start.Byte < 0 || r.End.Byte > len(c.src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(c.src[r.Start.Byte:r.End.Byte])
}

// ctyToGo converts a known cty value into a JSON-like value.
func ctyToGo(v cty.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Bool:
		return v.True()
	case t == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInf() {
			return bf.String()
		}
		if bf.IsInt() {
			return json.Number(bf.Text('f', 0))
		}
		f, _ := bf.Float64()
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = append(out, ctyToGo(ev))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			out[k.AsString()] = ctyToGo(ev)
		}
		return out
	}
	return nil
}
