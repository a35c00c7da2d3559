package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// xMouse moves the pointer and clicks on the X server as a mouse would,
// through the XTEST extension, and looks at what a window shows, so that
// a click can wait for the window to answer it.
type xMouse struct {
	conn *xgb.Conn
	root xproto.Window
	win  xproto.Window
	// scale is the window's pixels per Fyne unit.
	scale float32
}

// newXMouse clicks on win, whose canvas is width Fyne units wide.
func newXMouse(display string, win xproto.Window, width float32) (*xMouse, error) {
	conn, err := xtestConn(display)
	if err != nil {
		return nil, err
	}
	m := &xMouse{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root, win: win}
	g, err := xproto.GetGeometry(conn, xproto.Drawable(win)).Reply()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("failed to read the window's size: %w", err)
	}
	m.scale = float32(g.Width) / width
	return m, nil
}

func (m *xMouse) close() { m.conn.Close() }

// pixel is where p, a position on the canvas, is in the window.
func (m *xMouse) pixel(p fyne.Position) (x, y int16) {
	return int16(p.X*m.scale + 0.5), int16(p.Y*m.scale + 0.5)
}

// click moves the pointer to p on the canvas and presses and lets go of
// the left button there.
func (m *xMouse) click(p fyne.Position) error {
	x, y := m.pixel(p)
	at, err := xproto.TranslateCoordinates(m.conn, m.win, m.root, x, y).Reply()
	if err != nil {
		return err
	}
	fake := func(typ, detail byte, x, y int16) error {
		return xtest.FakeInputChecked(m.conn, typ, detail, xproto.TimeCurrentTime, m.root, x, y, 0).Check()
	}
	// Arrive from a pixel away, so that the window sees the pointer
	// move onto the spot as well as be there.
	if err := fake(xproto.MotionNotify, 0, at.DstX-1, at.DstY-1); err != nil {
		return err
	}
	if err := fake(xproto.MotionNotify, 0, at.DstX, at.DstY); err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond) // a hand rests before it presses
	if err := fake(xproto.ButtonPress, 1, 0, 0); err != nil {
		return err
	}
	return fake(xproto.ButtonRelease, 1, 0, 0)
}

// rect is a part of the canvas, in Fyne units.
type rect struct {
	pos  fyne.Position
	size fyne.Size
}

func (r rect) center() fyne.Position {
	return r.pos.Add(fyne.NewPos(r.size.Width/2, r.size.Height/2))
}

// look is the window's pixels in r.
func (m *xMouse) look(r rect) ([]byte, error) {
	x, y := m.pixel(r.pos)
	w, h := uint16(max(r.size.Width*m.scale, 1)), uint16(max(r.size.Height*m.scale, 1))
	img, err := xproto.GetImage(m.conn, xproto.ImageFormatZPixmap, xproto.Drawable(m.win), x, y, w, h, 0xffffffff).Reply()
	if err != nil {
		return nil, fmt.Errorf("failed to read the window's pixels: %w", err)
	}
	return img.Data, nil
}

// shot saves what the window shows in testdata/output, to see what a
// failed step left on screen.
func (m *xMouse) shot(t *testing.T, name string) {
	t.Helper()
	g, err := xproto.GetGeometry(m.conn, xproto.Drawable(m.win)).Reply()
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	img, err := xproto.GetImage(m.conn, xproto.ImageFormatZPixmap, xproto.Drawable(m.win), 0, 0, g.Width, g.Height, 0xffffffff).Reply()
	if err != nil || len(img.Data) < int(g.Width)*int(g.Height)*4 {
		t.Logf("no screenshot: %v (%d bytes)", err, len(img.Data))
		return
	}
	// A 24-bit visual's pixels are 32 bits, blue first.
	out := image.NewRGBA(image.Rect(0, 0, int(g.Width), int(g.Height)))
	for i := 0; i < int(g.Width)*int(g.Height); i++ {
		d := img.Data[i*4:]
		out.Pix[i*4], out.Pix[i*4+1], out.Pix[i*4+2], out.Pix[i*4+3] = d[2], d[1], d[0], 0xff
	}
	p := filepath.Join("testdata", "output", name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	f, err := os.Create(p)
	if err == nil {
		err = png.Encode(f, out)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("what the window showed is in %s", p)
}

// waitChange waits until what the window shows in r differs from before,
// then until it holds still (a redraw has finished), within d.
func (m *xMouse) waitChange(r rect, before []byte, d time.Duration) error {
	deadline := time.Now().Add(d)
	var last []byte
	changed := false
	for time.Now().Before(deadline) {
		now, err := m.look(r)
		if err != nil {
			return err
		}
		switch {
		case !changed && !bytes.Equal(now, before):
			changed = true
		case changed && bytes.Equal(now, last):
			return nil
		}
		last = now
		time.Sleep(100 * time.Millisecond)
	}
	if !changed {
		return fmt.Errorf("the window did not change at %v within %v", r, d)
	}
	return fmt.Errorf("the window kept changing at %v for %v", r, d)
}

// waitStill waits until what the window shows in r holds still, within
// d, and gives it: a change seen after a click is then the click's.
func (m *xMouse) waitStill(r rect, d time.Duration) ([]byte, error) {
	deadline := time.Now().Add(d)
	last, err := m.look(r)
	if err != nil {
		return nil, err
	}
	for same := 0; time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		now, err := m.look(r)
		if err != nil {
			return nil, err
		}
		if same++; !bytes.Equal(now, last) {
			same = 0
		}
		if same == 2 {
			return now, nil
		}
		last = now
	}
	return nil, fmt.Errorf("the window kept changing at %v for %v", r, d)
}

// waitDrawn waits until the window shows more than one colour in r, and
// holds still: it has been drawn.
func (m *xMouse) waitDrawn(r rect, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		now, err := m.waitStill(r, time.Until(deadline))
		if err != nil {
			return err
		}
		for i := 4; i < len(now); i += 4 {
			if !bytes.Equal(now[i:i+3], now[:3]) {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the window was not drawn within %v", d)
}

// clickAndWait clicks at p and waits for the window to change in r.
func (m *xMouse) clickAndWait(p fyne.Position, r rect, d time.Duration) error {
	before, err := m.waitStill(r, d)
	if err != nil {
		return err
	}
	if err := m.click(p); err != nil {
		return err
	}
	return m.waitChange(r, before, d)
}
