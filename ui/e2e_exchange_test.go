package ui

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

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
	// endpoint than the file has. The share's requests are those from
	// Copy link until the endpoint falls quiet.
	shareReqs := ep.log.settled(mark, time.Second, 30*time.Second)
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

	if err := closeApp(dnd, win, exited, 30*time.Second); err != nil {
		fail("%v", err)
	}
}
