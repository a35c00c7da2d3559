package ui

import (
	"bytes"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/assets"
	"github.com/ossvault/ossvault/internal/version"
)

func TestAboutFromSettings(t *testing.T) {
	for _, tc := range []struct {
		lang, version string
	}{
		{"en", "Version " + version.String()},
		{"zh", "版本 " + version.String()},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Cleanup(func() { setLanguage("en") })
			if err := setLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			u := startMain(t, readyFake())
			u.tabs.SelectIndex(3)
			test.Tap(u.settings.aboutBtn)
			top := u.win.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("no About box after tapping the button")
			}
			var texts []string
			var images []*canvas.Image
			for _, o := range test.LaidOutObjects(top) {
				switch v := o.(type) {
				case *widget.Label:
					texts = append(texts, v.Text)
				case *canvas.Image:
					images = append(images, v)
				}
			}
			has := func(s string) bool {
				for _, x := range texts {
					if x == s {
						return true
					}
				}
				return false
			}
			for _, want := range []string{windowTitle, tc.version} {
				if !has(want) {
					t.Errorf("About box lacks %q; it shows %q", want, texts)
				}
			}
			if len(texts) < 3 {
				t.Errorf("About box shows only %q", texts)
			}
			var icon bool
			for _, img := range images {
				if img.Resource != nil && bytes.Equal(img.Resource.Content(), assets.IconPNG()) {
					icon = true
				}
			}
			if !icon {
				t.Errorf("About box does not show the app icon (%d images)", len(images))
			}
		})
	}
}
