package ui

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ossvault/ossvault/envelope"
)

// TestScreenshots writes every screen at 1024x768 to testdata/output for a
// person to look at; the golden markup tests are what catch regressions.
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
		u.win.Resize(fyne.NewSize(1024, 768))
		img := u.win.Canvas().Capture()
		if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 700 {
			t.Fatalf("%s: capture is %v", name, b)
		}
		f, err := os.Create(filepath.Join(out, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
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
}
