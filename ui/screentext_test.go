package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestDescribeScreen checks the e2e build's description of a screen: what
// is shown, of which kind, on which layer, and what has the focus; and
// never what an entry holds, where passphrases and secrets are typed.
func TestDescribeScreen(t *testing.T) {
	test.NewTempApp(t)
	secret := widget.NewPasswordEntry()
	secret.SetText("s3cret passphrase")
	plain := widget.NewEntry()
	plain.SetPlaceHolder("Filter by name")
	plain.SetText("typed words")
	off := widget.NewButton("Download", nil)
	off.Disable()
	tick := widget.NewCheck("for all", nil)
	tick.SetChecked(true)
	w := test.NewTempWindow(t, container.NewVBox(widget.NewLabel("Files"), plain, secret, off, tick))
	w.Resize(fyne.NewSize(400, 300))
	w.Canvas().Focus(plain)
	kids := func(x fyne.Widget) []fyne.CanvasObject { return test.WidgetRenderer(x).Objects() }
	if f := describeScreen(w.Canvas(), kids).Focus; f == nil || f.Kind != "*widget.Entry" || f.W == 0 {
		t.Errorf("focus %+v, want the filter entry with its place", f)
	}
	dialog.NewInformation("Saved", "The file is saved.", w).Show()
	v := describeScreen(w.Canvas(), kids)
	for _, it := range v.Items {
		if strings.Contains(it.Text, "s3cret") || strings.Contains(it.Text, "typed") {
			t.Errorf("the description tells what an entry holds: %+v", it)
		}
	}
	for _, c := range []struct {
		kind, text string
		layer      int
		off, on    bool
	}{
		{"text", "Files", 0, false, false},
		{"entry", "Filter by name", 0, false, false},
		{"button", "Download", 0, true, false},
		{"check", "for all", 0, false, true},
		{"text", "The file is saved.", 1, false, false},
		{"button", "OK", 1, false, false},
	} {
		got := v.all(c.kind, c.text)
		if len(got) != 1 || got[0].Layer != c.layer || got[0].Off != c.off || got[0].On != c.on {
			t.Errorf("%s %q: %+v, want one on layer %d, off %v, on %v", c.kind, c.text, got, c.layer, c.off, c.on)
		}
	}
	if v.Layers != 1 {
		t.Errorf("%d layers over the content, want the dialog's 1", v.Layers)
	}
	if _, ok := v.find("", "s3cret"); ok {
		t.Error("find reaches into an entry")
	}
}
