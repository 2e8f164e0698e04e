package containerimage

import (
	"strconv"

	"github.com/scanmux/scanmux/finding"
)

// Properties that [Annotator.Annotate] sets on a container finding.
const (
	// PropImageID is the image ID (its config digest).
	PropImageID = "container.imageID"
	// PropImageDigest is the image's manifest digest, when it has one.
	PropImageDigest = "container.imageDigest"
	// PropImageName is the repository and tag the image is known as, when
	// it differs from the reference.
	PropImageName = "container.imageName"
	// PropLayerIndex is the index of the layer that added the package (0
	// for the base).
	PropLayerIndex = "container.layerIndex"
	// PropLayerDigest is that layer's compressed digest, when known
	// (Package.Layer is its diff ID).
	PropLayerDigest = "container.layerDigest"
	// PropLayerCreatedBy is the image history's command for that layer.
	PropLayerCreatedBy = "container.layerCreatedBy"
	// PropPath keeps a path a scanner reported as the finding's file: a
	// path in the image, not a file of the scan root.
	PropPath = "container.path"
)

// Annotator makes the findings of a scan of one image container findings
// of that image.
type Annotator struct {
	im      *Image
	df      *Dockerfile
	byLayer []*Instruction
}

// NewAnnotator returns an Annotator for im; df, the Dockerfile that built
// it, may be nil.
func NewAnnotator(im *Image, df *Dockerfile) *Annotator {
	return &Annotator{im: im, df: df, byLayer: attribute(im, df)}
}

// Instruction returns the Dockerfile instruction that added layer i, or
// nil when the history does not tell or there is no Dockerfile.
func (a *Annotator) Instruction(i int) *Instruction {
	if i < 0 || i >= len(a.byLayer) {
		return nil
	}
	return a.byLayer[i]
}

// Annotate makes f, a vulnerability a scanner reported in the image, a
// container finding of it:
//
//   - Category is container, whatever the scanner said (a language
//     package found in an image is the image's);
//   - Package.Image is the image as the user named it, so that reports of
//     one image by several scanners compare; its ID, digest and name go in
//     the [PropImageID], [PropImageDigest] and [PropImageName] properties;
//   - Package.Layer, which scanners give as a diff ID (grype, osv-scanner)
//     or as a compressed digest (trivy's Layer.Digest), becomes the
//     layer's diff ID, with its index, compressed digest and history
//     command in properties;
//   - with a Dockerfile, Location.Path is the Dockerfile and the region
//     the lines of the instruction that added the layer (the FROM for the
//     base image's layers), when the history tells it; without one the
//     finding has no file, and the SARIF writer attaches it to a
//     Dockerfile at the root or the fallback file.
//
// Paths the scanner reported inside the image stay in its properties: they
// are not files of the scan root, and a path that happened to match one
// (app/package.json) moves from Location to [PropPath].
func (a *Annotator) Annotate(f *finding.Finding) {
	f.Category = finding.CategoryContainer
	if f.Location.Package == nil {
		f.Location.Package = &finding.Package{Name: "unknown"}
	} else {
		p := *f.Location.Package
		f.Location.Package = &p
	}
	pk := f.Location.Package
	pk.Image = a.im.Ref
	props := map[string]string{PropImageID: a.im.ID, PropImageDigest: a.im.Digest, PropPath: f.Location.Path}
	if a.im.Name != "" && a.im.Name != a.im.Ref {
		props[PropImageName] = a.im.Name
	}
	l := a.im.Layer(pk.Layer)
	if l != nil {
		pk.Layer = l.DiffID
		props[PropLayerIndex] = strconv.Itoa(l.Index)
		props[PropLayerDigest] = l.Digest
		props[PropLayerCreatedBy] = l.CreatedBy
	}
	for k, v := range props {
		if v == "" {
			continue
		}
		if f.Properties == nil {
			f.Properties = map[string]string{}
		}
		f.Properties[k] = v
	}
	f.Location.Path, f.Location.Region, f.Location.Snippet = "", finding.Region{}, ""
	f.Related = nil
	if a.df == nil {
		return
	}
	f.Location.Path = a.df.Path
	if l != nil {
		if in := a.Instruction(l.Index); in != nil {
			f.Location.Region = finding.Region{StartLine: in.Line, EndLine: in.EndLine}
		}
	}
}
