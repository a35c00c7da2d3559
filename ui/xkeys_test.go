package ui

import (
	"fmt"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// X keysyms of the keys the keyboard tests press.
const (
	xkTab    = 0xff09
	xkEscape = 0xff1b
	xkDelete = 0xffff
	xkF2     = 0xffbf
	xkUp     = 0xff52
	xkReturn = 0xff0d
	xkDown   = 0xff54
	xkF5     = 0xffc2
	xkShiftL = 0xffe1
	xkCtrlL  = 0xffe3
	xkA      = 0x0061
)

// xKeyboard types on the X server as a keyboard would, through the XTEST
// extension, into whichever window has the input focus.
type xKeyboard struct {
	conn  *xgb.Conn
	root  xproto.Window
	codes map[xproto.Keysym]xproto.Keycode
	// shifted are the keysyms their key gives with Shift held.
	shifted map[xproto.Keysym]bool
}

// xtestConn connects to display's X server and its XTEST extension,
// which sends keys and clicks as the devices would.
func xtestConn(display string) (*xgb.Conn, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the X server: %w", err)
	}
	if err := xtest.Init(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("the X server has no XTEST: %w", err)
	}
	return conn, nil
}

func newXKeyboard(display string) (*xKeyboard, error) {
	conn, err := xtestConn(display)
	if err != nil {
		return nil, err
	}
	setup := xproto.Setup(conn)
	k := &xKeyboard{conn: conn, root: setup.DefaultScreen(conn).Root, codes: map[xproto.Keysym]xproto.Keycode{}, shifted: map[xproto.Keysym]bool{}}
	n := byte(setup.MaxKeycode - setup.MinKeycode + 1)
	m, err := xproto.GetKeyboardMapping(conn, setup.MinKeycode, n).Reply()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("failed to read the keyboard mapping: %w", err)
	}
	per := int(m.KeysymsPerKeycode)
	for i := 0; i < int(n); i++ {
		for j := 0; j < per; j++ {
			sym := m.Keysyms[i*per+j]
			if _, ok := k.codes[sym]; !ok && sym != 0 {
				k.codes[sym] = xproto.Keycode(int(setup.MinKeycode) + i)
				k.shifted[sym] = j == 1
			}
		}
	}
	return k, nil
}

func (k *xKeyboard) close() { k.conn.Close() }

// focus gives w the keyboard, as clicking on it would.
func (k *xKeyboard) focus(w xproto.Window) error {
	return xproto.SetInputFocusChecked(k.conn, xproto.InputFocusParent, w, xproto.TimeCurrentTime).Check()
}

// press presses key with the held keys down, then lets them all go.
func (k *xKeyboard) press(key xproto.Keysym, held ...xproto.Keysym) error {
	if err := k.stroke(key, held...); err != nil {
		return err
	}
	// A person does not type faster than the app reads: leave it a moment
	// between keys, so each reaches the window in turn.
	time.Sleep(150 * time.Millisecond)
	return nil
}

// typeText types text, printable ASCII only, a key for each character,
// with Shift where the character needs it.
func (k *xKeyboard) typeText(text string) error {
	for _, r := range text {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("typeText types printable ASCII only, not %q", r)
		}
		sym := xproto.Keysym(r) // Latin-1 keysyms are their code points
		var held []xproto.Keysym
		if k.shifted[sym] {
			held = []xproto.Keysym{xkShiftL}
		}
		if err := k.stroke(sym, held...); err != nil {
			return err
		}
		time.Sleep(15 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	return nil
}

// stroke presses and lets go of key with the held keys down.
func (k *xKeyboard) stroke(key xproto.Keysym, held ...xproto.Keysym) error {
	send := func(typ byte, sym xproto.Keysym) error {
		code, ok := k.codes[sym]
		if !ok {
			return fmt.Errorf("no key on this keyboard gives keysym %#x", sym)
		}
		return xtest.FakeInputChecked(k.conn, typ, byte(code), xproto.TimeCurrentTime, k.root, 0, 0, 0).Check()
	}
	for _, h := range held {
		if err := send(xproto.KeyPress, h); err != nil {
			return err
		}
	}
	if err := send(xproto.KeyPress, key); err != nil {
		return err
	}
	if err := send(xproto.KeyRelease, key); err != nil {
		return err
	}
	for i := len(held) - 1; i >= 0; i-- {
		if err := send(xproto.KeyRelease, held[i]); err != nil {
			return err
		}
	}
	return nil
}
