package testimage_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/scanmux/scanmux/containerimage/testimage"
)

func TestWriteScratch(t *testing.T) {
	out := os.Getenv("SCRATCH_IMAGE")
	if out == "" {
		t.Skip()
	}
	img, err := testimage.Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag(testimage.Tag)
	if err := tarball.WriteToFile(out, tag, img); err != nil {
		t.Fatal(err)
	}
	if err := testimage.WriteOSVDB(os.Getenv("SCRATCH_DB"), "../../testdata/real/db"); err != nil {
		t.Fatal(err)
	}
}
