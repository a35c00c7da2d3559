package ui

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/ossvault/ossvault/envelope"
)

// person is one colleague: a home of their own and the command line.
type person struct {
	t          *testing.T
	bin, name  string
	home, user string
	env        []string
}

// run runs the command line on p's home, with stdin, and gives its output
// and exit code.
func (p *person) run(stdin []byte, args ...string) (string, int) {
	p.t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env
	cmd.Stdin = bytes.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	p.t.Fatalf("%s: ossvault %s: %v", p.name, strings.Join(args, " "), err)
	return "", -1
}

// must runs the command line and fails the test unless it succeeds.
func (p *person) must(stdin []byte, args ...string) string {
	p.t.Helper()
	out, code := p.run(stdin, args...)
	if code != 0 {
		p.t.Fatalf("%s: ossvault %s: exit %d\n%s", p.name, strings.Join(args, " "), code, out)
	}
	return out
}

// keys are p's keys as the app lists them, from `ossvault key list`.
func (p *person) keys() []Key {
	p.t.Helper()
	var keys []Key
	for _, line := range strings.Split(strings.TrimSpace(p.must(nil, "key", "list")), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			p.t.Fatalf("key list line %q", line)
		}
		k := Key{Name: f[0], Kind: KeyColleague, Fingerprint: f[2], Default: f[len(f)-1] == "default"}
		if f[1] == "rsa" {
			k.Kind = KeyMine
		}
		keys = append(keys, k)
	}
	return keys
}

func sameFile(t *testing.T, who, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s opened %d bytes (want the %d of the file): %v", who, len(got), len(want), err)
	}
}

// localEndpoint is a running `ossvault serve-local` and its request log.
type localEndpoint struct {
	url string
	log *requestLog
}

// requestLog is serve-local's one JSON line per request.
type requestLog struct {
	mu   sync.Mutex
	recs []requestRecord
}

type requestRecord struct {
	Op     string `json:"op"`
	Key    string `json:"key"`
	Status int    `json:"status"`
	In     int64  `json:"in"`
	Out    int64  `json:"out"`
}

func (l *requestLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recs)
}

func (l *requestLog) since(i int) []requestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]requestRecord(nil), l.recs[i:]...)
}

// settled waits until no request has come for quiet, at most d, and
// gives the requests after the first i.
func (l *requestLog) settled(i int, quiet, d time.Duration) []requestRecord {
	n, since := l.len(), time.Now()
	for deadline := time.Now().Add(d); time.Now().Before(deadline) && time.Since(since) < quiet; time.Sleep(20 * time.Millisecond) {
		if m := l.len(); m != n {
			n, since = m, time.Now()
		}
	}
	return l.since(i)
}

// startServeLocal runs the endpoint on dir with the credentials cred, as
// someone would for a team on one machine, until the test ends.
func startServeLocal(t *testing.T, bin, dir string, cred [2]string) *localEndpoint {
	t.Helper()
	cmd := exec.Command(bin, "serve-local", "--dir", dir)
	cmd.Env = append(os.Environ(), "OSS_ACCESS_KEY_ID="+cred[0], "OSS_ACCESS_KEY_SECRET="+cred[1])
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ep := &localEndpoint{log: &requestLog{}}
	logDone := make(chan struct{})
	var other bytes.Buffer // lines that are not requests, for a failure
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var r requestRecord
			if json.Unmarshal(sc.Bytes(), &r) != nil || r.Op == "" {
				ep.log.mu.Lock()
				other.Write(append(sc.Bytes(), '\n'))
				ep.log.mu.Unlock()
				continue
			}
			ep.log.mu.Lock()
			ep.log.recs = append(ep.log.recs, r)
			ep.log.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		<-logDone
	})
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		first <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-first:
		u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if !ok {
			ep.log.mu.Lock()
			defer ep.log.mu.Unlock()
			t.Fatalf("serve-local said %q\n%s", line, other.String())
		}
		ep.url = u
	case <-time.After(30 * time.Second):
		t.Fatal("serve-local did not say where it listens")
	}
	return ep
}

// sdkOpen reads key with the official Go SDK v1's crypto bucket, with the
// RSA key given as PEM, and checks it decrypts to want.
func sdkOpen(t *testing.T, endpoint string, cred [2]string, bucket, key, pubPEM, privPEM string, want []byte) {
	t.Helper()
	c, err := oss.New(endpoint, cred[0], cred[1])
	if err != nil {
		t.Fatal(err)
	}
	plainBk, err := c.Bucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	h, err := plainBk.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]string
	if s := h.Get("X-Oss-Meta-" + envelope.HeaderMatDesc); s != "" {
		if err := json.Unmarshal([]byte(s), &md); err != nil {
			t.Fatalf("the object's matdesc %q: %v", s, err)
		}
	}
	mc, err := osscrypto.CreateMasterRsa(md, pubPEM, privPEM)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := osscrypto.GetCryptoBucket(c, bucket, osscrypto.CreateAesCtrCipher(mc))
	if err != nil {
		t.Fatal(err)
	}
	body, err := cb.GetObject(key)
	if err != nil {
		t.Fatalf("SDK v1 CryptoBucket.GetObject: %v", err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("SDK v1 CryptoBucket.GetObject body: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the SDK v1 decrypted %d bytes, not the file's %d", len(got), len(want))
	}
}

// snapshot is the content hash of every file under dirs.
func snapshot(dirs []string) map[string][sha256.Size]byte {
	m := map[string][sha256.Size]byte{}
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil {
				m[p] = sha256.Sum256(b)
			}
			return nil
		})
	}
	return m
}

// leaks are the files under dirs, new or changed since before, that
// hold marker.
func leaks(before map[string][sha256.Size]byte, dirs []string, marker []byte) []string {
	var out []string
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			if h, ok := before[p]; ok && h == sha256.Sum256(b) {
				return nil
			}
			if bytes.Contains(b, marker) {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// clickSpots is where the things Alice clicks are, on a canvas width
// units wide, and the parts that change when a click is answered.
type clickSpots struct {
	width, height float32
	// alsoFor is the "Also for…" button; group the saved group's button
	// in its dialog, groupTicks the boxes it ticks, alsoDone its Done.
	alsoFor, group, groupTicks, alsoDone rect
	// row is the first file row; share the Share… button; with the
	// "Share with" choice, erin Erin in its list, copyLink Copy link.
	row, share, with, erin, copyLink rect
}

// exchangeSpots lays Alice's screens out in this process, with the test
// driver, on a backend that holds what hers does, and goes through the
// same clicks, noting where each thing is.
func exchangeSpots(t *testing.T, keys []Key, account, bucket, file string, prefs Prefs) clickSpots {
	t.Helper()
	f := newFakeBackend()
	f.accounts = []Account{{Name: account}}
	f.keys = keys
	f.addObject(account, bucket, file, 3<<20, Lock{Kind: LockMine, KeyName: "Alice", Seal: SealPresent})
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.DefaultTheme())
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, f, t.TempDir(), prefs)
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	if w.Content() != u.main {
		t.Fatalf("the laid-out twin is not on its main screen")
	}
	// roots are what is on show, the topmost first, as a click meets it.
	roots := func() []fyne.CanvasObject {
		out := []fyne.CanvasObject{w.Canvas().Content()}
		out = append(out, w.Canvas().Overlays().List()...)
		slices.Reverse(out)
		return out
	}
	// find is the first thing on show that match takes, and where.
	find := func(what string, match func(fyne.CanvasObject) bool) (fyne.CanvasObject, rect) {
		t.Helper()
		for _, r := range roots() {
			if o, at, ok := findShown(r, match, fyne.Position{}); ok {
				return o, rect{pos: at, size: o.Size()}
			}
		}
		t.Fatalf("the twin does not show %s", what)
		return nil, rect{}
	}
	where := func(target fyne.CanvasObject) rect {
		t.Helper()
		_, r := find(fmt.Sprintf("%T", target), func(o fyne.CanvasObject) bool { return o == target || unwrapped(o) == target })
		return r
	}
	var s clickSpots
	s.width, s.height = w.Canvas().Size().Width, w.Canvas().Size().Height

	s.alsoFor = where(u.browser.alsoForBtn)
	test.Tap(u.browser.alsoForBtn)
	groupBtn := overlayButton(t, u, slices.Sorted(maps.Keys(prefs.Groups))[0])
	s.group = where(groupBtn)
	s.alsoDone = where(overlayButton(t, u, "Done"))
	var ticks []rect
	for _, name := range prefs.Groups[groupBtn.Text] {
		_, r := find("the box of "+name, func(o fyne.CanvasObject) bool {
			c, ok := unwrapped(o).(*widget.Check)
			return ok && c.Text == name
		})
		ticks = append(ticks, r)
	}
	s.groupTicks = span(ticks)
	test.Tap(groupBtn)
	test.Tap(overlayButton(t, u, "Done"))
	u.wait()

	_, s.row = find("the row of "+file, func(o fyne.CanvasObject) bool {
		r, ok := o.(*fileRow)
		return ok && r.name.Text == file
	})
	selectFile(t, u.browser, file)
	u.wait()
	s.share = where(u.browser.shareBtn)
	test.Tap(u.browser.shareBtn)
	u.wait()
	sh := u.sharing
	s.with = where(sh.with)
	s.copyLink = where(sh.makeBtn)
	test.Tap(sh.with)
	_, s.erin = find("Erin in Share with", func(o fyne.CanvasObject) bool {
		txt, ok := o.(*canvas.Text)
		return ok && txt.Text == "Erin"
	})
	return s
}

// findShown is the first object shown in the tree of o that match
// takes, and where it is on the canvas; o is at at less its own position.
func findShown(o fyne.CanvasObject, match func(fyne.CanvasObject) bool, at fyne.Position) (fyne.CanvasObject, fyne.Position, bool) {
	at = at.Add(o.Position())
	if match(o) {
		return o, at, true
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	for _, k := range kids {
		if k.Visible() {
			if f, p, ok := findShown(k, match, at); ok {
				return f, p, true
			}
		}
	}
	return nil, fyne.Position{}, false
}

// span is the smallest rect holding all of rs.
func span(rs []rect) rect {
	lo, hi := rs[0].pos, rs[0].pos.Add(rs[0].size)
	for _, r := range rs[1:] {
		end := r.pos.Add(r.size)
		lo = fyne.NewPos(min(lo.X, r.pos.X), min(lo.Y, r.pos.Y))
		hi = fyne.NewPos(max(hi.X, end.X), max(hi.Y, end.Y))
	}
	return rect{pos: lo, size: fyne.NewSize(hi.X-lo.X, hi.Y-lo.Y)}
}

// xClipboard reads the CLIPBOARD selection as a paste would.
type xClipboard struct {
	conn                    *xgb.Conn
	win                     xproto.Window
	clipboard, utf8, target xproto.Atom
}

func newXClipboard(display string) (*xClipboard, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("failed to connect to the X server: %w", err)
	}
	c := &xClipboard{conn: conn}
	for name, a := range map[string]*xproto.Atom{"CLIPBOARD": &c.clipboard, "UTF8_STRING": &c.utf8, "OSSVAULT_PASTE": &c.target} {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			conn.Close()
			return nil, err
		}
		*a = r.Atom
	}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	if c.win, err = xproto.NewWindowId(conn); err == nil {
		err = xproto.CreateWindowChecked(conn, screen.RootDepth, c.win, screen.Root, 0, 0, 1, 1, 0,
			xproto.WindowClassInputOutput, screen.RootVisual, 0, nil).Check()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *xClipboard) close() { c.conn.Close() }

// text is the clipboard's text, "" when nobody holds one.
func (c *xClipboard) text() (string, error) {
	if err := xproto.ConvertSelectionChecked(c.conn, c.win, c.clipboard, c.utf8, c.target, xproto.TimeCurrentTime).Check(); err != nil {
		return "", err
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		ev, xerr := c.conn.PollForEvent()
		if xerr != nil {
			return "", fmt.Errorf("X error reading the clipboard: %v", xerr)
		}
		if ev == nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		n, ok := ev.(xproto.SelectionNotifyEvent)
		if !ok || n.Selection != c.clipboard {
			continue
		}
		if n.Property == xproto.AtomNone {
			return "", nil
		}
		r, err := xproto.GetProperty(c.conn, true, c.win, c.target, xproto.GetPropertyTypeAny, 0, 1<<16).Reply()
		if err != nil {
			return "", err
		}
		return string(r.Value), nil
	}
	return "", errors.New("nobody answered for the clipboard")
}
