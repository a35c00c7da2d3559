package ui

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/envelope"
)

// shotSizes are the window sizes every screen is captured at: the
// smallest the app is made for, and a common laptop's.
var shotSizes = []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}}

// TestScreenshots writes every screen, at each of shotSizes and in every
// language, to testdata/output for a person to look at, and fails when a
// text on screen runs past the window's edge, where nobody can read it.
// The golden markup tests are what catch other regressions.
func TestScreenshots(t *testing.T) {
	out := filepath.Join("testdata", "output")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(t *testing.T, u *appUI, name string) {
		t.Helper()
		u.wait()
		u.browser.locks.wait()
		u.wait()
		for _, size := range shotSizes {
			u.win.Resize(size)
			if got := u.win.Canvas().Size(); got.Width > size.Width+1 || got.Height > size.Height+1 {
				t.Errorf("%s needs %vx%v, more than the %vx%v window", name, got.Width, got.Height, size.Width, size.Height)
			}
			for _, text := range offWindow(u.win.Canvas()) {
				t.Errorf("%s at %vx%v: %q runs past the window's edge", name, size.Width, size.Height, text)
			}
			for _, pair := range overlapping(u.win.Canvas()) {
				t.Errorf("%s at %vx%v: %q is drawn over %q", name, size.Width, size.Height, pair[0], pair[1])
			}
			for _, text := range cutLabels(u.win.Canvas()) {
				t.Errorf("%s at %vx%v: %q is cut with “…”", name, size.Width, size.Height, text)
			}
			img := u.win.Canvas().Capture()
			if b := img.Bounds(); b.Dx() < int(size.Width)-1 || b.Dy() < int(size.Height)-1 {
				t.Fatalf("%s: capture is %v", name, b)
			}
			f, err := os.Create(filepath.Join(out, fmt.Sprintf("%s-%vx%v.png", name, size.Width, size.Height)))
			if err != nil {
				t.Fatal(err)
			}
			err = png.Encode(f, img)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, l := range []string{"en", "zh", "zh-TW", "ja"} {
		t.Run(l, func(t *testing.T) {
			if err := setLanguage(l); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { setLanguage("en") })
			suffix := ""
			if l != "en" {
				suffix = "-" + l
			}
			screens(t, func(t *testing.T, u *appUI, name string) { shot(t, u, name+suffix) })
		})
	}
}

// screens shows each screen in turn and hands it to shot.
func screens(t *testing.T, shot func(t *testing.T, u *appUI, name string)) {
	u := newTestUI(t, newFakeBackend())
	u.start(false)
	u.wait()
	shot(t, u, "firstrun-welcome")
	u.firstRun.showConnect()
	shot(t, u, "firstrun-connect")
	u.firstRun.showKeyStep()
	shot(t, u, "firstrun-key")
	u.firstRun.showBackupStep()
	shot(t, u, "firstrun-backup")
	u.firstRun.received.showLink()
	shot(t, u, "firstrun-received")
	u.firstRun.received.showKey()
	shot(t, u, "firstrun-received-key")

	f := readyFake()
	f.keys = append(f.keys, Key{Name: "Finance KMS", Kind: KeyKMS, Fingerprint: "acs:kms:cn-hangzhou:123:key/abcd"})
	u = startMain(t, f)
	shot(t, u, "browser")
	selectFile(t, u.browser, "old.txt")
	test.Tap(u.browser.deleteBtn)
	shot(t, u, "delete-question")
	test.Tap(overlayButton(t, u, lang.L("Cancel")))
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State, j.Done, j.Total, j.Speed, j.ETA = JobRunning, 40, 100, 1<<20, 90e9 })
	shot(t, u, "browser-downloading")
	u.browser.onShare()
	shot(t, u, "share")
	u.sharing.showOpenLink()
	shot(t, u, "open-link")
	u = startMain(t, f)
	u.tabs.SelectIndex(1)
	shot(t, u, "transfers")
	u.tabs.SelectIndex(2)
	shot(t, u, "keys")
	pem := []byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
	f.cards = []SeenCard{{Kind: CardKnown, Known: "Bob"}, {Kind: CardChanged, Known: "Bob"}, {Kind: CardNew}}
	for i, name := range []string{"Bob", "Bob", "Erin Wu"} {
		f.cards[i].Name, f.cards[i].Fingerprint, f.cards[i].PEM = name, "9739-A14E-B3AD-237F-B5C"+fmt.Sprint(i), pem
	}
	u.keysView.onCards()
	shot(t, u, "keys-cards")
	u.win.Canvas().Overlays().Top().Hide()
	f.cards = nil
	u.tabs.SelectIndex(3)
	shot(t, u, "settings")
	u.showError(errIntegrityForTest())
	shot(t, u, "error")

	f.addObject("This computer", "demo", "payroll/2025/年终 奖金.xlsx", 77, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	u = startMain(t, f)
	u.prefs.DownloadDir = t.TempDir()
	selectFile(t, u.browser, "payroll")
	test.Tap(u.browser.getBtn)
	shot(t, u, "folder-downloading")
	selectFile(t, u.browser, "from-bob.docx")
	u.browser.onDetails()
	shot(t, u, "details")
	u.keysView.onAddKMS()
	shot(t, u, "add-company-key")

	// Ended transfers: a failed one Retry can help, one it cannot (the
	// key is not here), and finished ones Clear finished takes away.
	f = readyFake()
	u = startMain(t, f)
	tr := f.Transfers().(*fakeTransfers)
	for _, c := range []struct {
		key   string
		state JobState
		err   error
	}{
		{"contract.pdf", JobDone, nil},
		{"old.txt", JobCanceled, nil},
		{"from-bob.docx", JobFailed, fmt.Errorf("download: %w", &envelope.NoKeyError{MatDesc: `{"owner":"Bob"}`})},
		{"payroll/march.xlsx", JobFailed, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}},
	} {
		id, err := tr.Download(context.Background(), Location{Account: "This computer", Bucket: "demo"}, c.key, "/home/me/Downloads")
		if err != nil {
			t.Fatal(err)
		}
		tr.set(id, func(j *Job) {
			j.State, j.Err, j.Done = c.state, c.err, 30
			if c.state == JobDone {
				j.Done = j.Total
			}
		})
	}
	u.wait()
	u.tabs.SelectIndex(1)
	shot(t, u, "transfers-ended")

	// An empty folder: the drop zone across the file list.
	f = readyFake()
	u = startMain(t, f)
	root := Location{Account: "This computer", Bucket: "demo"}
	if err := f.Storage().NewFolder(context.Background(), root, "new hires"); err != nil {
		t.Fatal(err)
	}
	u.do(func() { u.browser.open(Location{Account: root.Account, Bucket: root.Bucket, Prefix: "new hires/"}) })
	u.wait()
	shot(t, u, "browser-empty")

	// The longest sentence the status line is given, wrapped, not cut.
	u.do(func() {
		u.setStatus(lang.L("A new key cannot open a file sent before it existed. Send your public key (Keys, Copy my public key) to the sender and ask for a new link."))
	})
	shot(t, u, "status-long")
	u.do(func() { u.setStatus("") })

	// Names of a dropped folder already taken: asked about one by one.
	u.do(func() {
		u.browser.askExisting(UploadRequest{Paths: []string{"/home/me/payroll"}, Dest: root},
			&ExistsError{Names: []string{"payroll/march.xlsx", "payroll/april.xlsx"}, Total: 3})
	})
	shot(t, u, "upload-clash")
}

// walkShown calls visit with o and, where visit says to go on, with what
// o holds, as drawn: containers' objects and widgets' renderers' objects.
// Hidden objects are skipped.
func walkShown(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !visit(o) {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, k := range x.Objects {
			walkShown(k, visit)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(x).Objects() {
			walkShown(k, visit)
		}
	}
}

// layersOf are c's content and each of its overlays (dialogs, pop-ups).
func layersOf(c fyne.Canvas) []fyne.CanvasObject {
	return append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
}

// offWindow lists the texts on c, its content and its dialogs, that do
// not fit inside the window. What scrolls (lists, scroll containers) is
// left out: a row below the fold is reached by scrolling.
func offWindow(c fyne.Canvas) []string {
	size := c.Size()
	var out []string
	for _, layer := range layersOf(c) {
		walkShown(layer, func(o fyne.CanvasObject) bool {
			switch x := o.(type) {
			case *container.Scroll, *widget.List, *widget.Table, *widget.Tree, *widget.Entry:
				return false
			case *canvas.Text:
				if x.Text == "" {
					return false
				}
				p := fyne.CurrentApp().Driver().AbsolutePositionForObject(x)
				w := fyne.MeasureText(x.Text, x.TextSize, x.TextStyle).Width
				if p.X < -1 || p.Y < -1 || p.X+w > size.Width+1 || p.Y+x.Size().Height > size.Height+1 {
					out = append(out, x.Text)
				}
				return false
			}
			return true
		})
	}
	return out
}

// cutLabels lists the texts of labels and selects on c that are cut with
// "…" because they do not fit, apart from the file list's columns, which
// show what they hold whole when the pointer rests on them (nameLabel).
func cutLabels(c fyne.Canvas) []string {
	var out []string
	for _, layer := range layersOf(c) {
		walkShown(layer, func(o fyne.CanvasObject) bool {
			switch x := o.(type) {
			case *nameLabel:
				return false
			case *statusLine:
				// Wrapped by hand: cut when its lines end in a "…" of
				// its own.
				if strings.HasSuffix(x.label.Text, "…") && !strings.HasSuffix(x.Text, "…") {
					out = append(out, x.Text)
				}
				return false
			case *widget.Label:
				w := fyne.MeasureText(x.Text, theme.TextSize(), x.TextStyle).Width + 2*theme.InnerPadding()
				if x.Truncation != fyne.TextTruncateOff && x.Text != "" && w > x.Size().Width+0.5 {
					out = append(out, x.Text)
				}
				return false
			case *widget.Select:
				if selectCut(x, x.Size()) {
					out = append(out, x.Selected)
				}
				return false
			case *keySelect:
				if selectCut(&x.Select, x.Size()) {
					out = append(out, x.Selected)
				}
				return false
			}
			return true
		})
	}
	return out
}

// selectCut says whether s, size big, cuts its choice: its text, its
// arrow and the padding around both do not fit.
func selectCut(s *widget.Select, size fyne.Size) bool {
	w := fyne.MeasureText(s.Selected, theme.TextSize(), fyne.TextStyle{}).Width + theme.IconInlineSize() + 4*theme.InnerPadding()
	return s.Selected != "" && w > size.Width+0.5
}

// overlapping lists the pairs of texts and buttons on c, in the content or
// in one dialog, drawn over each other: a wrapped label given too little
// height runs its last line over what follows it.
func overlapping(c fyne.Canvas) [][2]string {
	type placed struct {
		text string
		p    fyne.Position
		s    fyne.Size
	}
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject
	var out [][2]string
	for _, layer := range layersOf(c) {
		var boxes []placed
		walkShown(layer, func(o fyne.CanvasObject) bool {
			switch x := o.(type) {
			case *widget.Entry, *widget.ProgressBar:
				return false
			case *widget.Button:
				// A box of its own: its text is its own, anything else
				// drawn in it is over it.
				boxes = append(boxes, placed{"button " + x.Text, at(x), x.Size()})
				return false
			case *keyButton:
				boxes = append(boxes, placed{"button " + x.Text, at(x), x.Size()})
				return false
			case *canvas.Text:
				if strings.TrimSpace(x.Text) != "" {
					boxes = append(boxes, placed{x.Text, at(x), fyne.MeasureText(x.Text, x.TextSize, x.TextStyle)})
				}
				return false
			}
			return true
		})
		const slack = 2 // antialiased edges touch
		for i, a := range boxes {
			for _, b := range boxes[i+1:] {
				if a.p.X+a.s.Width-slack > b.p.X && b.p.X+b.s.Width-slack > a.p.X &&
					a.p.Y+a.s.Height-slack > b.p.Y && b.p.Y+b.s.Height-slack > a.p.Y {
					out = append(out, [2]string{a.text, b.text})
				}
			}
		}
	}
	return out
}

// offWindow finds a label wider than its window, and not one that fits.
func TestOffWindowFindsCutText(t *testing.T) {
	long := "The link to a copy you made for sharing has expired: remove it from the storage?"
	w := test.NewTempWindow(t, container.NewHBox(widget.NewLabel("fits"), widget.NewLabel(long)))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(200, 100))
	got := offWindow(w.Canvas())
	if len(got) != 1 || got[0] != long {
		t.Fatalf("offWindow found %q, want the long label alone", got)
	}
	w.Resize(fyne.NewSize(1000, 100))
	if got := offWindow(w.Canvas()); len(got) != 0 {
		t.Fatalf("in a wide window offWindow still found %q", got)
	}
}
