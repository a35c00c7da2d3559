package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// The screen as text: a build made with the e2e tag keeps, in the file
// screenTextEnv names, what its window shows, so that a test driving the
// real window with the X server's keyboard and mouse can read what the
// window says and find what to click. Only such builds can: widgets are
// walked through their renderers, which only Fyne's test package reaches
// (screentext_e2e.go), and a release build is made without it, so it never
// writes its screen anywhere, whatever its environment says.
//
// What an entry holds is never described, only its placeholder: an entry
// is where a passphrase or a secret is typed.

// screenTextEnv names the file an e2e build keeps its screen in.
const screenTextEnv = "OSSVAULT_SCREEN_TEXT"

// screenTextEvery is how often the file is brought up to date.
const screenTextEvery = 100 * time.Millisecond

// screenKids are the objects a widget draws with, in an e2e build; nil in
// any other, where the screen is never described.
var screenKids func(fyne.Widget) []fyne.CanvasObject

// screenText is the screen at one moment.
type screenText struct {
	// Seq counts the descriptions written; At is when this one was taken,
	// in Unix nanoseconds.
	Seq int   `json:"seq"`
	At  int64 `json:"at"`
	// Width and Height are the canvas's, in Fyne units, as are all places.
	Width  float32 `json:"width"`
	Height float32 `json:"height"`
	// Layers is how many overlays (dialogs, menus) lie over the content.
	Layers int          `json:"layers"`
	Items  []screenItem `json:"items"`
	// Focus is what takes the keyboard, if anything does.
	Focus *screenItem `json:"focus,omitempty"`
}

// screenItem is one thing on show.
type screenItem struct {
	// Kind is text, button, check, select, entry, link or progress; for
	// Focus, the Go type of what has the focus.
	Kind string `json:"kind"`
	// Text is the text shown: a button's label, a select's choice, an
	// entry's placeholder, a progress bar's value from 0 to 1.
	Text string `json:"text,omitempty"`
	// Icon is a button's icon's name.
	Icon string  `json:"icon,omitempty"`
	X    float32 `json:"x"`
	Y    float32 `json:"y"`
	W    float32 `json:"w"`
	H    float32 `json:"h"`
	// Layer is 0 for the window's content, n for the n-th overlay.
	Layer int `json:"layer"`
	// Off is a disabled control; On a ticked check.
	Off bool `json:"off,omitempty"`
	On  bool `json:"on,omitempty"`
}

// describeScreen is what c shows now. It runs on the UI goroutine.
func describeScreen(c fyne.Canvas, kids func(fyne.Widget) []fyne.CanvasObject) screenText {
	d := screenDescriber{kids: kids, focused: c.Focused()}
	d.out.Width, d.out.Height = c.Size().Width, c.Size().Height
	d.walk(c.Content(), fyne.Position{})
	overlays := c.Overlays().List()
	d.out.Layers = len(overlays)
	for i, o := range overlays {
		d.layer = i + 1
		d.walk(o, fyne.Position{})
	}
	if d.focused != nil && d.out.Focus == nil {
		// Focused but not found in the walk: say so, without a place.
		d.out.Focus = &screenItem{Kind: fmt.Sprintf("%T", d.focused)}
	}
	return d.out
}

type screenDescriber struct {
	kids    func(fyne.Widget) []fyne.CanvasObject
	focused fyne.Focusable
	layer   int
	out     screenText
}

// walk describes o, which lies at its own position past at, and what it
// holds.
func (d *screenDescriber) walk(o fyne.CanvasObject, at fyne.Position) {
	if o == nil || !o.Visible() {
		return
	}
	at = at.Add(o.Position())
	item := screenItem{X: at.X, Y: at.Y, W: o.Size().Width, H: o.Size().Height, Layer: d.layer}
	shown := o
	if k, ok := o.(interface{ shown() fyne.CanvasObject }); ok {
		shown = k.shown() // the widget it wraps, at its place
	}
	if f, ok := o.(fyne.Focusable); ok && d.focused != nil && f == d.focused {
		focus := item
		focus.Kind = fmt.Sprintf("%T", shown)
		d.out.Focus = &focus
	}
	o = shown
	descend := true
	switch x := o.(type) {
	case *canvas.Text:
		item.Kind, item.Text = "text", x.Text
		descend = false
	case *statusLine:
		// The whole sentence, not the lines it is wrapped into.
		item.Kind, item.Text = "text", x.Text
		descend = false
	case *widget.Button:
		item.Kind, item.Text, item.Off = "button", x.Text, x.Disabled()
		if x.Icon != nil {
			item.Icon = x.Icon.Name()
		}
		descend = false
	case *widget.Check:
		item.Kind, item.Text, item.Off, item.On = "check", x.Text, x.Disabled(), x.Checked
		descend = false
	case *widget.Select:
		item.Kind, item.Text, item.Off = "select", x.Selected, x.Disabled()
		if item.Text == "" {
			item.Text = x.PlaceHolder
		}
		descend = false
	case *widget.Hyperlink:
		item.Kind, item.Text = "link", x.Text
		descend = false
	case *widget.ProgressBar:
		item.Kind, item.Text = "progress", fmt.Sprintf("%.3f", x.Value)
		descend = false
	case *widget.Entry:
		item.Kind, item.Text = "entry", x.PlaceHolder
		descend = false
	case interface{ SetPlaceHolder(string) }:
		// Something built on an entry: what it holds stays unsaid.
		item.Kind = "entry"
		descend = false
	}
	if item.Kind != "" && (item.Kind != "text" || item.Text != "") {
		d.out.Items = append(d.out.Items, item)
	}
	if !descend {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, k := range x.Objects {
			d.walk(k, at)
		}
	case fyne.Widget:
		for _, k := range d.kids(x) {
			d.walk(k, at)
		}
	}
}

// startScreenText keeps w's screen in the file screenTextEnv names, until
// stop is called; in a build that cannot describe it, it does nothing.
func startScreenText(w fyne.Window) (stop func()) {
	p := os.Getenv(screenTextEnv)
	if p == "" || screenKids == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(screenTextEvery)
		defer tick.Stop()
		for seq := 1; ; seq++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			got := make(chan screenText, 1)
			fyne.Do(func() { got <- describeScreen(w.Canvas(), screenKids) })
			var s screenText
			select {
			case s = <-got:
			case <-done:
				return
			}
			s.Seq, s.At = seq, time.Now().UnixNano()
			if err := writeScreenText(p, s); err != nil {
				fmt.Fprintf(os.Stderr, "ossvault: failed to describe the screen: %v\n", err)
				return
			}
		}
	}()
	return func() { close(done) }
}

// writeScreenText replaces the file at p with s, whole: a reader sees the
// last description or the one before, never half of one.
func writeScreenText(p string, s screenText) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".screen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}
