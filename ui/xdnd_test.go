package ui

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// xdndSource drags files onto another X11 window the way a file manager
// does, speaking the XDND protocol (version 5): it owns XdndSelection, sends
// XdndEnter, XdndPosition and XdndDrop to the target, answers the target's
// request for text/uri-list, and waits for XdndFinished.
type xdndSource struct {
	conn  *xgb.Conn
	root  xproto.Window
	win   xproto.Window
	atoms map[string]xproto.Atom
}

func newXDNDSource(display string) (*xdndSource, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the X server: %w", err)
	}
	s := &xdndSource{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root, atoms: map[string]xproto.Atom{}}
	for _, name := range []string{"XdndAware", "XdndSelection", "XdndEnter", "XdndPosition", "XdndStatus", "XdndDrop",
		"XdndFinished", "XdndLeave", "XdndActionCopy", "text/uri-list", "_NET_WM_NAME", "UTF8_STRING", "WM_PROTOCOLS", "WM_DELETE_WINDOW", "XDND_DATA"} {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("failed to intern %s: %w", name, err)
		}
		s.atoms[name] = r.Atom
	}
	s.win, err = xproto.NewWindowId(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	err = xproto.CreateWindowChecked(conn, screen.RootDepth, s.win, s.root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOutput, screen.RootVisual, 0, nil).Check()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("failed to create the drag source window: %w", err)
	}
	return s, nil
}

func (s *xdndSource) close() { s.conn.Close() }

// findWindow returns the top-level window titled title that accepts drops,
// waiting up to d.
func (s *xdndSource) findWindow(title string, d time.Duration) (xproto.Window, error) {
	return s.findWindowEvery(title, d, 200*time.Millisecond)
}

func (s *xdndSource) findWindowEvery(title string, d, every time.Duration) (xproto.Window, error) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		tree, err := xproto.QueryTree(s.conn, s.root).Reply()
		if err != nil {
			return 0, err
		}
		for _, w := range tree.Children {
			if s.title(w) == title && s.isAware(w) {
				return w, nil
			}
		}
		time.Sleep(every)
	}
	return 0, fmt.Errorf("no window titled %q accepting drops appeared in %v", title, d)
}

func (s *xdndSource) title(w xproto.Window) string {
	for _, p := range []struct{ prop, typ xproto.Atom }{
		{s.atoms["_NET_WM_NAME"], s.atoms["UTF8_STRING"]},
		{xproto.AtomWmName, xproto.AtomString},
	} {
		r, err := xproto.GetProperty(s.conn, false, w, p.prop, p.typ, 0, 256).Reply()
		if err == nil && r.ValueLen > 0 {
			return string(r.Value)
		}
	}
	return ""
}

func (s *xdndSource) isAware(w xproto.Window) bool {
	r, err := xproto.GetProperty(s.conn, false, w, s.atoms["XdndAware"], xproto.AtomAtom, 0, 1).Reply()
	return err == nil && r.ValueLen > 0
}

func (s *xdndSource) send(target xproto.Window, typ string, data ...uint32) error {
	d := make([]uint32, 5)
	copy(d, data)
	ev := xproto.ClientMessageEvent{Format: 32, Window: target, Type: s.atoms[typ], Data: xproto.ClientMessageDataUnionData32New(d)}
	return xproto.SendEventChecked(s.conn, false, target, xproto.EventMaskNoEvent, string(ev.Bytes())).Check()
}

// uriList is the text/uri-list for paths, with every byte that needs it
// percent-encoded (spaces, non-ASCII names).
func uriList(paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
		b.WriteString(u.String())
		b.WriteString("\r\n")
	}
	return b.String()
}

// drop drags paths onto target at (x, y) in the target's coordinates.
func (s *xdndSource) drop(target xproto.Window, x, y int16, paths []string) error {
	if err := xproto.SetSelectionOwnerChecked(s.conn, s.win, s.atoms["XdndSelection"], xproto.TimeCurrentTime).Check(); err != nil {
		return fmt.Errorf("failed to own XdndSelection: %w", err)
	}
	pos, err := xproto.TranslateCoordinates(s.conn, target, s.root, x, y).Reply()
	if err != nil {
		return err
	}
	src := uint32(s.win)
	if err := s.send(target, "XdndEnter", src, 5<<24, uint32(s.atoms["text/uri-list"])); err != nil {
		return err
	}
	rootXY := uint32(uint16(pos.DstX))<<16 | uint32(uint16(pos.DstY))
	if err := s.send(target, "XdndPosition", src, 0, rootXY, xproto.TimeCurrentTime, uint32(s.atoms["XdndActionCopy"])); err != nil {
		return err
	}
	data := uriList(paths)
	dropped := false
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ev, xerr := s.conn.PollForEvent()
		if xerr != nil {
			return fmt.Errorf("X error during the drop: %v", xerr)
		}
		if ev == nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		switch e := ev.(type) {
		case xproto.ClientMessageEvent:
			switch e.Type {
			case s.atoms["XdndStatus"]:
				if e.Data.Data32[1]&1 == 0 {
					s.send(target, "XdndLeave", src)
					return fmt.Errorf("the window refused the drop")
				}
				if !dropped {
					dropped = true
					if err := s.send(target, "XdndDrop", src, 0, xproto.TimeCurrentTime); err != nil {
						return err
					}
				}
			case s.atoms["XdndFinished"]:
				return nil
			}
		case xproto.SelectionRequestEvent:
			prop := e.Property
			if prop == xproto.AtomNone {
				prop = s.atoms["XDND_DATA"]
			}
			notify := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: xproto.AtomNone}
			if e.Target == s.atoms["text/uri-list"] {
				xproto.ChangeProperty(s.conn, xproto.PropModeReplace, e.Requestor, prop, e.Target, 8, uint32(len(data)), []byte(data))
				notify.Property = prop
			}
			xproto.SendEvent(s.conn, false, e.Requestor, xproto.EventMaskNoEvent, string(notify.Bytes()))
		}
	}
	return fmt.Errorf("the window did not finish the drop in time (status seen: %v)", dropped)
}

// closeWindow asks the window to close as its close button would.
func (s *xdndSource) closeWindow(w xproto.Window) error {
	d := []uint32{uint32(s.atoms["WM_DELETE_WINDOW"]), xproto.TimeCurrentTime, 0, 0, 0}
	ev := xproto.ClientMessageEvent{Format: 32, Window: w, Type: s.atoms["WM_PROTOCOLS"], Data: xproto.ClientMessageDataUnionData32New(d)}
	return xproto.SendEventChecked(s.conn, false, w, xproto.EventMaskNoEvent, string(ev.Bytes())).Check()
}
