package assets

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"os"
	"testing"
)

// decode reads a PNG and fails the test unless it is size×size.
func decode(t *testing.T, data []byte, size int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("failed to decode PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
		t.Fatalf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), size, size)
	}
	return img
}

func alpha(img image.Image, x, y int) uint32 {
	_, _, _, a := img.At(x, y).RGBA()
	return a
}

// Every committed rendering must have the size its name promises, see-through
// rounded corners and an opaque middle: a blank, cropped or unscaled render
// fails here.
func TestRenderedSizes(t *testing.T) {
	for _, size := range []int{16, 32, 48, 64, 128, 256, 512} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data, err := os.ReadFile(fmt.Sprintf("icon-%d.png", size))
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, data, size)
			if a := alpha(img, 0, 0); a != 0 {
				t.Errorf("top-left corner alpha = %d, want 0 (transparent)", a)
			}
			if a := alpha(img, size-1, size-1); a != 0 {
				t.Errorf("bottom-right corner alpha = %d, want 0 (transparent)", a)
			}
			if a := alpha(img, size/2, size/2); a != 0xffff {
				t.Errorf("centre alpha = %d, want opaque", a)
			}
		})
	}
}

func TestIconPNG(t *testing.T) {
	got := IconPNG()
	decode(t, got, 256)
	got[0] ^= 0xff
	if again := IconPNG(); again[0] == got[0] {
		t.Fatal("IconPNG returned shared storage: a caller's change leaked into the next call")
	}
}

func TestIconSVG(t *testing.T) {
	var root struct {
		XMLName xml.Name
		ViewBox string `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(IconSVG(), &root); err != nil {
		t.Fatalf("icon.svg is not well-formed XML: %v", err)
	}
	if root.XMLName.Local != "svg" || root.ViewBox != "0 0 64 64" {
		t.Fatalf("icon.svg root = <%s viewBox=%q>, want <svg viewBox=\"0 0 64 64\">", root.XMLName.Local, root.ViewBox)
	}
}
