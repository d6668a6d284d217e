package config

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical form: hclwrite's layout, LF line endings,
// no byte order mark. A file that does not parse is not formatted; the
// diagnostics say why.
func Format(name string, src []byte) ([]byte, hcl.Diagnostics) {
	src = trimBOM(src)
	masked := MaskTokens(src)
	if _, diags := hclsyntax.ParseConfig(masked, name, hcl.InitialPos); diags.HasErrors() {
		return nil, explainSyntax(masked, diags)
	}
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	return hclwrite.Format(src), nil
}
