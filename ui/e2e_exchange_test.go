package ui

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
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
	"github.com/ossvault/ossvault/internal/cli"
)

// TestE2EExchange is the exchange of one file between colleagues, in the
// real app on a real display, against an endpoint every home reaches as
// OSS: Alice drops a file on her window locked for herself and for Bob
// and Carol (her saved group, picked with the mouse in "Also for…"); each
// of the three opens it on their own home, Dave, whom Alice knows but did
// not pick, cannot; the official Go SDK v1 opens it with Alice's key. Then
// Alice shares it with Erin from the window: no file anywhere holds the
// plaintext meanwhile, the copy for Erin is made on the server with fewer
// bytes sent than the file has, and Erin opens the link on her home.
func TestE2EExchange(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	root := t.TempDir()
	tmp := filepath.Join(root, "tmp")
	storeDir := filepath.Join(root, "store")
	for _, d := range []string{tmp, storeDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cred := [2]string{"LTAIexchange", "exchange-secret"}
	ep := startServeLocal(t, bin, storeDir, cred)

	people := map[string]*person{}
	names := []string{"Alice", "Bob", "Carol", "Dave", "Erin"}
	for _, name := range names {
		p := &person{t: t, bin: bin, name: name, home: filepath.Join(root, "home-"+name), user: filepath.Join(root, "user-"+name)}
		for _, d := range []string{p.home, p.user} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		p.env = append(os.Environ(), "OSSVAULT_HOME="+p.home, "HOME="+p.user, "TMPDIR="+tmp, "LANGUAGE=en")
		if name != "Erin" {
			// Erin has no account: she comes in with a link only.
			p.env = append(p.env, "OSS_ENDPOINT="+ep.url, "OSS_ACCESS_KEY_ID="+cred[0], "OSS_ACCESS_KEY_SECRET="+cred[1])
		}
		people[name] = p
	}
	alice := people["Alice"]

	// Alice's key is one she also uses with the SDK: she imports it,
	// from standard input, so that no private key sits in a file.
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}))
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	alice.must([]byte(privPEM), "key", "import", "Alice", "--private-key", "/dev/stdin")
	for _, name := range names[1:] {
		p := people[name]
		p.must(nil, "key", "gen", name, "--bits", "2048")
		pub := p.must(nil, "key", "export-public", name)
		alice.must([]byte(pub), "key", "add-public", name, "--public-key", "/dev/stdin")
	}
	const bucket, account, file = "exchange", "Team storage", "payroll march.csv"
	alice.must(nil, "mb", "oss://"+bucket)
	alice.must(nil, "account", "add", account, "--endpoint", ep.url)
	group := "Bob and Carol"
	prefs := Prefs{SetupDone: true, KeysBackedUp: true, DownloadDir: filepath.Join(alice.user, "Downloads"),
		Groups: map[string][]string{group: {"Bob", "Carol"}}}
	if err := prefs.save(alice.home); err != nil {
		t.Fatal(err)
	}

	// The plaintext: a distinctive 64-byte line, over and over, 3 MB in
	// all, so that any piece of it on a disk gives it away.
	marker := []byte("exchange walkthrough: Carol's March salary is 5200, do not leak\n")
	if len(marker) != 64 {
		t.Fatalf("the marker is %d bytes", len(marker))
	}
	plain := bytes.Repeat(marker, 3<<20/64)
	srcDir := filepath.Join(root, "outbox")
	os.MkdirAll(srcDir, 0o700)
	src := filepath.Join(srcDir, file)
	if err := os.WriteFile(src, plain, 0o600); err != nil {
		t.Fatal(err)
	}

	// Where everything Alice clicks is in her window, from the same
	// screens laid out in this process.
	spots := exchangeSpots(t, alice.keys(), account, bucket, file, prefs)

	ready := filepath.Join(root, "ready")
	appLog, exited := runApp(t, bin, append(alice.env, readyFileEnv+"="+ready))
	fail := func(format string, args ...any) {
		t.Helper()
		select {
		case err := <-exited:
			t.Logf("the app exited: %v", err)
		default:
		}
		t.Fatalf(format+"\napp output:\n%s", append(args, appLog)...)
	}
	dnd, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer dnd.close()
	win, err := dnd.findWindow(windowTitle, 60*time.Second)
	if err != nil {
		fail("%v", err)
	}
	if err := waitFile(ready, 60*time.Second); err != nil {
		fail("%v", err)
	}
	mouse, err := newXMouse(display, win, spots.width)
	if err != nil {
		t.Fatal(err)
	}
	defer mouse.close()
	step := func(what string, at fyne.Position, watch rect) {
		t.Helper()
		if err := mouse.clickAndWait(at, watch, 20*time.Second); err != nil {
			mouse.shot(t, "e2e-exchange-failed.png")
			t.Logf("%v window pixels a unit; where things are: %+v", mouse.scale, spots)
			fail("%s: %v", what, err)
		}
	}
	// The folder is listed; the first click waits for it to be drawn.
	if err := mouse.waitDrawn(rect{size: fyne.NewSize(spots.width, spots.height)}, 30*time.Second); err != nil {
		fail("%v", err)
	}

	// "Also for…", the saved group, Done: the next uploads are locked
	// for Alice, Bob and Carol.
	step("open Also for…", spots.alsoFor.center(), spots.alsoDone)
	step("pick the group", spots.group.center(), spots.groupTicks)
	step("close Also for…", spots.alsoDone.center(), spots.alsoFor)

	// A real drop of the file on the window, onto the file list.
	emptyRow, err := mouse.waitStill(spots.row, 20*time.Second)
	if err != nil {
		fail("%v", err)
	}
	dx, dy := mouse.pixel(spots.row.center())
	if err := dnd.drop(win, dx, dy, []string{src}); err != nil {
		fail("drop: %v", err)
	}
	if err := waitPendingEmpty(alice.home, 2*time.Minute); err != nil {
		fail("%v", err)
	}
	if err := mouse.waitChange(spots.row, emptyRow, 30*time.Second); err != nil {
		fail("the uploaded file does not show: %v", err)
	}
	object := "oss://" + bucket + "/" + file
	info := alice.must(nil, "info", object)
	t.Logf("ossvault info %s:\n%s", object, info)
	for _, who := range []string{"Alice", "Bob", "Carol"} {
		if !strings.Contains(info, "recipient: "+who+" ") {
			t.Errorf("the object is not locked for %s:\n%s", who, info)
		}
	}
	if strings.Contains(info, "recipient: Dave") || strings.Contains(info, "recipient: Erin") {
		t.Errorf("the object is locked for someone not picked:\n%s", info)
	}

	// Each of the three opens it on their own home; Dave cannot.
	got := filepath.Join(root, "got")
	os.MkdirAll(got, 0o700)
	for _, who := range []string{"Alice", "Bob", "Carol"} {
		dest := filepath.Join(got, who+".csv")
		people[who].must(nil, "get", object, dest)
		sameFile(t, who, dest, plain)
	}
	daveDir := filepath.Join(got, "dave")
	os.MkdirAll(daveDir, 0o700)
	if out, code := people["Dave"].run(nil, "get", object, filepath.Join(daveDir, "dave.csv")); code != cli.ExitNoKey {
		t.Errorf("Dave's get: exit %d, want %d (no key):\n%s", code, cli.ExitNoKey, out)
	}
	if left, _ := os.ReadDir(daveDir); len(left) != 0 {
		t.Errorf("Dave's failed get left %v", left)
	}

	// The official Go SDK v1, with Alice's RSA key, reads the same bytes.
	sdkOpen(t, ep.url, cred, bucket, file, pubPEM, privPEM, plain)

	// Share with Erin in the window: the row, Share…, Erin, Copy link.
	step("select the file", spots.row.center(), spots.share)
	step("open Share…", spots.share.center(), spots.copyLink)
	step("open Share with", spots.with.center(), spots.erin)
	step("pick Erin", spots.erin.center(), spots.with)

	clip, err := newXClipboard(display)
	if err != nil {
		t.Fatal(err)
	}
	defer clip.close()
	watched := []string{tmp, storeDir}
	for _, p := range people {
		watched = append(watched, p.home, p.user)
	}
	before := snapshot(watched)
	tmpBefore, _ := os.ReadDir(tmp)
	// The look finds a plaintext file where there is one.
	planted := filepath.Join(root, "planted")
	os.MkdirAll(planted, 0o700)
	os.WriteFile(filepath.Join(planted, "copy.csv"), plain[:1000], 0o600)
	if found := leaks(before, []string{planted}, marker); len(found) != 1 {
		t.Fatalf("the look for the plaintext found %v in a folder holding one copy", found)
	}
	leaked := map[string]bool{}
	look := func() {
		for _, p := range leaks(before, watched, marker) {
			leaked[p] = true
		}
	}
	mark := ep.log.len()
	if err := mouse.click(spots.copyLink.center()); err != nil {
		t.Fatal(err)
	}
	var link string
	for deadline := time.Now().Add(2 * time.Minute); link == "" && time.Now().Before(deadline); {
		// Looked at while the share runs: a file removed at the end
		// still sat on the disk meanwhile.
		look()
		if s, err := clip.text(); err == nil && isLink(s) {
			link = strings.TrimSpace(s)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if link == "" {
		mouse.shot(t, "e2e-exchange-failed.png")
		fail("no link on the clipboard after Copy link")
	}
	look()
	for p := range leaked {
		t.Errorf("%s held the plaintext during the share", p)
	}
	if left, _ := os.ReadDir(tmp); len(left) != len(tmpBefore) {
		t.Errorf("sharing left %d entries in the temp folder", len(left)-len(tmpBefore))
	}

	// The copy for Erin was made on the server: fewer bytes went to the
	// endpoint than the file has. The share's requests are those before
	// the listing the window makes once the link is made.
	shareReqs, err := ep.log.until(mark, "ListObjectsV2", 30*time.Second)
	if err != nil {
		fail("%v", err)
	}
	var sent, read int64
	var ops []string
	copied := false
	for _, r := range shareReqs {
		sent += r.In
		read += r.Out
		ops = append(ops, r.Op)
		copied = copied || r.Op == "CopyObject" || r.Op == "UploadPartCopy"
	}
	t.Logf("sharing the %d-byte file: %d bytes sent to the endpoint, %d read, in %d requests %v", len(plain), sent, read, len(ops), ops)
	if !copied {
		t.Errorf("the share made no copy on the server: %v", ops)
	}
	if sent >= int64(len(plain)) {
		t.Errorf("sharing sent %d bytes, not fewer than the file's %d", sent, len(plain))
	}

	mouse.shot(t, "e2e-exchange.png")

	// Erin opens the link on her home, with no account.
	dest := filepath.Join(got, "Erin.csv")
	people["Erin"].must(nil, "get", link, dest)
	sameFile(t, "Erin", dest, plain)

	if err := dnd.closeWindow(win); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			fail("the app exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		fail("the app did not close")
	}
}

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

// until waits for a request op after the first i and gives the requests
// from i up to it.
func (l *requestLog) until(i int, op string, d time.Duration) ([]requestRecord, error) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		recs := l.since(i)
		for j, r := range recs {
			if r.Op == op {
				return recs[:j], nil
			}
		}
	}
	return nil, fmt.Errorf("the endpoint saw no %s within %v", op, d)
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
		_, r := find(fmt.Sprintf("%T", target), func(o fyne.CanvasObject) bool { return o == target })
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
			c, ok := o.(*widget.Check)
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
