package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/zalando/go-keyring"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
	"github.com/ossvault/ossvault/vault"
)

var keychainOnce sync.Once

// useKeychain uses the real Secret Service when the test runs under
// internal/testenv/with-services.sh (as make test does), else go-keyring's
// in-memory mock so that a plain go test still runs.
func useKeychain(t testing.TB) {
	keychainOnce.Do(func() {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || os.Getenv("OSSVAULT_IN_SERVICES") != "1" {
			keyring.MockInit()
		}
	})
	if os.Getenv("OSSVAULT_IN_SERVICES") == "1" {
		t.Log("keys live in the real keychain (Secret Service)")
	} else {
		t.Log("keys live in go-keyring's in-memory mock")
	}
}

// The service under the names these tests knew it by.
type realBackend = app.Service

const (
	localDir         = app.LocalDir
	demoBucket       = app.DemoBucket
	localAccountName = app.LocalAccountName
	localHost        = app.LocalHost
)

// retryPolicy is how the backends the tests open retry (app.Options.Retry);
// shortRetries shortens it to see a transfer give up.
var retryPolicy *transfer.Policy

// listenTCP binds the local storage's port (app.Options.Listen); a test
// swaps it to play a system that lets another program take the
// connections to a port the store has bound.
var listenTCP = net.Listen

// legacyPendingFile is where earlier versions of the app listed
// unfinished transfers.
const legacyPendingFile = "app-transfers.json"

// openTestBackend opens the service in home as Run does, with the
// settings saved there.
func openTestBackend(t *testing.T, home string) *realBackend {
	t.Helper()
	useKeychain(t)
	prefs, _ := loadPrefs(home)
	b, err := app.Open(home, app.Options{Connect: osssdk.Connect, Parallel: prefs.parallel(), Retry: retryPolicy,
		Listen: func(network, addr string) (net.Listener, error) { return listenTCP(network, addr) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// shortRetries makes the app's transfers give up on a dead endpoint in
// about a second instead of riding it out for minutes.
func shortRetries(t *testing.T) {
	old := retryPolicy
	retryPolicy = &transfer.Policy{Window: time.Second, Base: 50 * time.Millisecond, Max: 200 * time.Millisecond}
	t.Cleanup(func() { retryPolicy = old })
}

// openLocalWithKey is openTestBackend started on "This computer" with an
// RSA key of mine, "Mine", to lock uploads for.
func openLocalWithKey(t *testing.T, home string) *realBackend {
	t.Helper()
	b := openTestBackend(t, home)
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Keys().Generate(context.Background(), "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	return b
}

// waitJobs waits for the queue to settle, within a bound.
func waitJobs(t *testing.T, b *realBackend) {
	t.Helper()
	done := make(chan struct{})
	go func() { b.Queue().Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("transfers did not finish in 2 minutes")
	}
}

// sdkBucket reaches the local endpoint with the plain SDK, not the app.
func sdkBucket(t *testing.T, b *realBackend) *oss.Bucket {
	t.Helper()
	c, err := oss.New(b.Local().Account.Endpoint, b.Local().Credential.AccessKeyID, b.Local().Credential.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := c.Bucket(demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

// checkEncrypted reads an object with the plain SDK and checks that it is
// stored encrypted and opens, with the vault's keys, to want.
func checkEncrypted(t *testing.T, bk *oss.Bucket, v *vault.Vault, key string, want []byte) {
	t.Helper()
	h, err := bk.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if h.Get("X-Oss-Meta-Client-Side-Encryption-Key") == "" || h.Get("X-Oss-Meta-Client-Side-Encryption-Cek-Alg") != envelope.CEKAlgAESCTR {
		t.Fatalf("%s: no client-side-encryption headers: %v", key, h)
	}
	r, err := bk.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(ct, want) || len(ct) != len(want) {
		t.Fatalf("%s: stored bytes are the plaintext, or of another length (%d vs %d)", key, len(ct), len(want))
	}
	env, err := envelope.ParseHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := v.Identities(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	dk, err := envelope.Open(context.Background(), env, ids...)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	pt, err := io.ReadAll(envelope.NewReader(bytes.NewReader(ct), dk, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pt, want) {
		t.Fatalf("%s: decrypts to other bytes", key)
	}
}

// TestRealLocalFlow runs the app's screens on the real vault, the real
// transfer engine and the embedded endpoint: first run with --local, a key
// made by the app, two files dropped (a space and Chinese in their names),
// the folder listing with "locked with", a download, and a link shared with
// a colleague opened by that colleague's own app.
func TestRealLocalFlow(t *testing.T) {
	home := t.TempDir()
	b := openTestBackend(t, home)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, b, home, Prefs{DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(u.close)

	u.start(true)
	u.wait()
	if u.firstRun.step != "key" || b.Local() == nil {
		t.Fatalf("--local: step %q, local endpoint %v", u.firstRun.step, b.Local() != nil)
	}
	u.firstRun.keyName.SetText("Mine")
	test.Tap(u.firstRun.createBtn)
	u.wait()
	if u.firstRun.step != "backup" {
		t.Fatalf("after creating a key: step %q, message %q", u.firstRun.step, u.firstRun.keyBusyMsg.Text)
	}
	if keys := b.Vault().Keys(); len(keys) != 1 || keys[0].Bits != defaultKeyBits || !keys[0].Default {
		t.Fatalf("vault keys: %+v", keys)
	}
	u.do(func() { test.Tap(u.firstRun.laterBtn) })
	u.wait()
	u.browser.locks.wait()
	u.wait()
	if !u.browser.hasLoc || u.browser.loc.Bucket != demoBucket {
		t.Fatalf("the demo bucket is not open: %+v", u.browser.loc)
	}

	dir := t.TempDir()
	files := map[string][]byte{
		"quarterly report.pdf": bytes.Repeat([]byte("payroll "), 40000),
		"合同 2026.txt":          []byte("机密合同内容"),
	}
	var uris []fyne.URI
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		uris = append(uris, storage.NewFileURI(p))
	}
	u.onDropped(fyne.NewPos(100, 100), uris)
	u.wait()
	waitJobs(t, b)
	time.Sleep(2 * refreshDelay) // the folder refresh after the uploads
	u.wait()
	u.browser.locks.wait()
	u.wait()

	bk := sdkBucket(t, b)
	for name, data := range files {
		checkEncrypted(t, bk, b.Vault(), name, data)
	}
	names := strings.Join(rowNames(u.browser), ",")
	for name := range files {
		if !strings.Contains(names, name) {
			t.Fatalf("%q not listed: %s", name, names)
		}
	}
	for _, e := range u.browser.all {
		if l := u.browser.locks.peek(u.browser.loc, e.Key); !e.Folder && (l.Kind != LockMine || l.KeyName != "Mine" || l.Seal != SealPresent) {
			t.Errorf("%s: lock %+v, want Mine and protected", e.Name, l)
		}
	}

	// Download one back through the app, under the UI lock as the app's
	// loop would: the uploads' last events may still be arriving.
	u.do(func() {
		selectFile(t, u.browser, "合同 2026.txt")
		test.Tap(u.browser.getBtn)
	})
	u.wait()
	waitJobs(t, b)
	got, err := os.ReadFile(filepath.Join(home, "Downloads", "合同 2026.txt"))
	if err != nil || !bytes.Equal(got, files["合同 2026.txt"]) {
		t.Fatalf("downloaded %q, %v", got, err)
	}
	// The download checked the seal, and the browser shows it for this
	// version of the object.
	jobs := b.Transfers().Jobs()
	if j := jobs[len(jobs)-1]; j.Kind != Download || j.Seal != SealVerified || j.ETag == "" {
		t.Fatalf("download job: kind %v seal %v etag %q", j.Kind, j.Seal, j.ETag)
	}
	// The panel hears of the end on the queue's subscriber goroutine.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		u.wait()
		got := sealOnScreen(t, u.browser, "合同 2026.txt")
		if got == "✓ intact · from me" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the download the column says %q", got)
		}
	}

	// A colleague with her own app and key: share with her, she opens it.
	home2 := t.TempDir()
	b2 := openTestBackend(t, home2)
	if _, err := b2.Keys().Generate(context.Background(), "Alice's own", 2048); err != nil {
		t.Fatal(err)
	}
	alicePub, err := b2.Keys().ExportPublic(context.Background(), "Alice's own")
	if err != nil {
		t.Fatal(err)
	}
	u.keysView.addColleague("Alice", alicePub)
	u.wait()
	shared, err := b.Sharing().Share(context.Background(), u.browser.loc, "quarterly report.pdf", "Alice", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	link := shared.Link
	copyKey := shared.Key
	if !strings.HasPrefix(copyKey, transfer.SharedPrefix) || path.Base(copyKey) != "quarterly report.pdf" {
		t.Errorf("Share says the link opens %q, want Alice's copy out of sight under the plain name", copyKey)
	}
	if !strings.Contains(link, path.Base(path.Dir(copyKey))) {
		t.Errorf("the link does not point at Alice's copy %s: %s", copyKey, link)
	}
	// The folder shows the file once: the copy is not beside it.
	page, err := b.Storage().List(context.Background(), u.browser.loc, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		if e.Key != "quarterly report.pdf" && strings.Contains(e.Name, "quarterly") || transfer.IsInternalKey(e.Key) {
			t.Errorf("the folder lists %q after the share", e.Key)
		}
	}
	checkEncrypted(t, bk, b2.Vault(), copyKey, files["quarterly report.pdf"])
	// Her copy is the same ciphertext wrapped for her too, copied by the
	// server: it still opens with my key, the first of its wraps, and
	// reads as mine in "Locked with", intact, not as a stranger's.
	if l, err := b.Storage().Lock(context.Background(), u.browser.loc, copyKey); err != nil || l.Kind != LockMine || l.KeyName != "Mine" {
		t.Errorf("Alice's copy is locked with %+v (%v), want mine first", l, err)
	}
	checkEncrypted(t, bk, b.Vault(), copyKey, files["quarterly report.pdf"])
	if a, c := storedBytes(t, bk, "quarterly report.pdf"), storedBytes(t, bk, copyKey); !bytes.Equal(a, c) {
		t.Error("the copy's ciphertext differs from the original's: it was encrypted again, not copied")
	}
	out := filepath.Join(home2, "in")
	if _, err := b2.Sharing().OpenLink(context.Background(), link, out); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b2)
	// Alice saves it under its plain name, with nothing of "for Alice".
	got, err = os.ReadFile(filepath.Join(out, "quarterly report.pdf"))
	if err != nil || !bytes.Equal(got, files["quarterly report.pdf"]) {
		t.Fatalf("Alice's copy: %d bytes, %v", len(got), err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Fatalf("Alice's download left %d files, want the one", len(ents))
	}
}

// TestRealUnfinishedUploadComesBack closes the backend with an upload queued
// and opens it again: the job is there and finishes.
func TestRealUnfinishedUploadComesBack(t *testing.T) {
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	src := filepath.Join(t.TempDir(), "big.bin")
	data := bytes.Repeat([]byte{7}, 3<<20)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Close before it can finish: closing stops it without a pause the
	// user would have to undo.
	ids, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{src}, Dest: Location{Account: localAccountName, Bucket: demoBucket}, KeyFor: "Mine"})
	if err != nil || len(ids) != 1 {
		t.Fatal(ids, err)
	}
	b.Close()

	b2 := openTestBackend(t, home)
	jobs := b2.Transfers().Jobs()
	if len(jobs) != 1 || jobs[0].Name != "big.bin" || jobs[0].Kind != Upload {
		t.Fatalf("after reopening: %+v", jobs)
	}
	waitJobs(t, b2)
	jobs = b2.Transfers().Jobs()
	if jobs[0].State != JobDone {
		t.Fatalf("restored job ended %v: %v", jobs[0].State, jobs[0].Err)
	}
	checkEncrypted(t, sdkBucket(t, b2), b2.Vault(), "big.bin", data)
	b3 := openTestBackend(t, home)
	if jobs := b3.Transfers().Jobs(); len(jobs) != 0 {
		t.Fatalf("a finished job came back: %+v", jobs)
	}
	// The settings screen's choice reaches the running queue.
	b3.Transfers().SetParallel(6)
	if got := b3.Queue().MaxJobs(); got != 6 {
		t.Fatalf("after SetParallel(6) the queue runs %d at once", got)
	}
}

// TestRealUploadsToTwoBuckets queues uploads into two buckets on one queue:
// each lands in its own bucket, multipart ones included.
func TestRealUploadsToTwoBuckets(t *testing.T) {
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	svc, err := b.Connection(localAccountName)
	if err != nil {
		t.Fatal(err)
	}
	const other = "second-bucket"
	if err := svc.CreateBucket(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small.txt"), filepath.Join(dir, "big.bin")
	smallData, bigData := []byte("small file"), bytes.Repeat([]byte{9}, 9<<20) // above the 8 MiB part size
	if err := os.WriteFile(small, smallData, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, bigData, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bucket := range []string{demoBucket, other} {
		if _, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{small, big},
			Dest: Location{Account: localAccountName, Bucket: bucket, Prefix: bucket + "-in/"}, KeyFor: "Mine"}); err != nil {
			t.Fatal(err)
		}
	}
	waitJobs(t, b)
	for _, j := range b.Transfers().Jobs() {
		if j.State != JobDone {
			t.Fatalf("%s to %s: %v %v", j.Name, j.Remote.Bucket, j.State, j.Err)
		}
	}
	for _, bucket := range []string{demoBucket, other} {
		bk, err := sdkBucket(t, b).Client.Bucket(bucket)
		if err != nil {
			t.Fatal(err)
		}
		checkEncrypted(t, bk, b.Vault(), bucket+"-in/small.txt", smallData)
		checkEncrypted(t, bk, b.Vault(), bucket+"-in/big.bin", bigData)
		for _, elsewhere := range []string{demoBucket, other} {
			if elsewhere == bucket {
				continue
			}
			if ok, _ := bk.IsObjectExist(elsewhere + "-in/small.txt"); ok {
				t.Fatalf("%s holds the upload meant for %s", bucket, elsewhere)
			}
		}
	}
}

// TestRealListPages pages through a folder on the local endpoint: every
// file and subfolder once, in key order, the folder's own marker left out.
func TestRealListPages(t *testing.T) {
	b := openTestBackend(t, t.TempDir())
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	st, err := b.Store(localAccountName, demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"in/", "in/a.txt", "in/b 1.txt", "in/sub/c", "in/sub2/d", "in/报告.pdf", "other.txt"} {
		if err := st.Put(context.Background(), k, strings.NewReader("x"), 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket, Prefix: "in/"}
	var got []string
	token, pages := "", 0
	for {
		p, err := b.Storage().List(context.Background(), loc, token, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range p.Entries {
			got = append(got, fmt.Sprintf("%s|%s|%v", e.Name, e.Key, e.Folder))
		}
		if p.Next == "" || pages > 10 {
			break
		}
		token = p.Next
	}
	want := []string{"a.txt|in/a.txt|false", "b 1.txt|in/b 1.txt|false", "sub|in/sub/|true", "sub2|in/sub2/|true", "报告.pdf|in/报告.pdf|false"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("listed %q, want %q", got, want)
	}
	if pages < 3 {
		t.Fatalf("%d pages of at most 2 for 6 keys", pages)
	}
	if _, err := b.Storage().List(context.Background(), Location{Account: localAccountName, Bucket: "no-such-bucket"}, "", 10); !errors.Is(err, transfer.ErrNoSuchBucket) {
		t.Fatalf("listing a missing bucket: %v", err)
	}
}

// TestRealQueuedJobsComeBack closes the app with uploads that never started
// and opens it again: the transfer journal brings every one back, with the
// key it was to be locked for, and a list an earlier version left is taken
// over once.
func TestRealQueuedJobsComeBack(t *testing.T) {
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	dir := t.TempDir()
	files := map[string][]byte{}
	var paths []string
	for i := range 4 {
		name := fmt.Sprintf("file %d.bin", i)
		files[name] = bytes.Repeat([]byte{byte(i)}, 1<<20+i)
		if i == 0 {
			// Big enough to be still under way when the jobs are paused
			// a moment after being queued, so none of them has finished.
			files[name] = bytes.Repeat([]byte{7}, 48<<20)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, files[name], 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	b.Transfers().SetParallel(1)
	ids, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: paths[:3], Dest: Location{Account: localAccountName, Bucket: demoBucket}, KeyFor: "Mine"})
	if err != nil || len(ids) != 3 {
		t.Fatal(ids, err)
	}
	b.Close() // the jobs still waiting stop, and start again on reopening
	// A list in the format of earlier versions.
	legacy := fmt.Sprintf(`[{"kind":"upload","local":%q,"account":%q,"bucket":%q,"key":"file 3.bin","key_for":"Mine"}]`, paths[3], localAccountName, demoBucket)
	if err := os.WriteFile(filepath.Join(home, legacyPendingFile), []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}

	b2 := openTestBackend(t, home)
	var names []string
	for _, j := range b2.Transfers().Jobs() {
		if j.Kind != Upload || j.Remote.Bucket != demoBucket || j.Remote.Account != localAccountName {
			t.Errorf("restored job %+v", j)
		}
		names = append(names, j.Name)
	}
	if want := "file 0.bin,file 1.bin,file 2.bin,file 3.bin"; strings.Join(names, ",") != want {
		t.Fatalf("after reopening: %q, want %s", names, want)
	}
	if _, err := os.Stat(filepath.Join(home, legacyPendingFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old list is still there: %v", err)
	}
	waitJobs(t, b2)
	for _, j := range b2.Transfers().Jobs() {
		if j.State != JobDone {
			t.Fatalf("%s ended %v: %v", j.Name, j.State, j.Err)
		}
	}
	bk := sdkBucket(t, b2)
	for name, data := range files {
		checkEncrypted(t, bk, b2.Vault(), name, data)
	}
	recs, err := b2.Journal().List()
	if err != nil || len(recs) != 0 {
		t.Fatalf("journal after every job finished: %+v %v", recs, err)
	}
	b2.Close()
	if jobs := openTestBackend(t, home).Transfers().Jobs(); len(jobs) != 0 {
		t.Fatalf("finished jobs came back: %+v", jobs)
	}
}

// storedBytes is the object as stored: its ciphertext, for an encrypted one.
func storedBytes(t *testing.T, bk *oss.Bucket, key string) []byte {
	t.Helper()
	r, err := bk.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
