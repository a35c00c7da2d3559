package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/ossvault/ossvault/transfer"
)

// steppedSharing reports 45% of locking a copy, then waits for the test to
// release it or for Share to be stopped.
type steppedSharing struct {
	Sharing
	reported chan struct{}
	release  chan struct{}
	stopped  chan error
}

func (s steppedSharing) Share(ctx context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error) {
	progress(450, 1000)
	progress(451, 1000) // the same percent: no new redraw
	close(s.reported)
	select {
	case <-s.release:
		return s.Sharing.Share(ctx, loc, key, forKey, expires, progress)
	case <-ctx.Done():
		s.stopped <- ctx.Err()
		return Shared{}, ctx.Err()
	}
}

type steppedShareBackend struct {
	*fakeBackend
	s steppedSharing
}

func (b steppedShareBackend) Sharing() Sharing { return b.s }

func newSteppedShare(t *testing.T) (*appUI, *fakeBackend, steppedSharing) {
	f := readyFake()
	st := steppedSharing{f.Sharing(), make(chan struct{}), make(chan struct{}), make(chan error, 1)}
	u := startMain(t, steppedShareBackend{f, st})
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	return u, f, st
}

// Locking a copy shows a bar with what it is doing, and Stop stops it with
// no link made.
func TestShareShowsProgressAndStops(t *testing.T) {
	u, f, st := newSteppedShare(t)
	sh := u.sharing
	sh.with.SetSelected("Alice")
	if sh.stopBtn.Visible() {
		t.Fatal("Stop is shown before anything started")
	}
	test.Tap(sh.makeBtn)
	<-st.reported
	u.uiMu.Lock()
	value, shown, msg, stopOn := sh.bar.Value, sh.bar.Visible(), sh.message.Text, sh.stopBtn.Visible() && !sh.stopBtn.Disabled()
	u.uiMu.Unlock()
	if !shown || value != 0.45 || msg != "Locking a copy for Alice… 45%" || !stopOn {
		t.Fatalf("while locking a copy: bar shown %v at %v, message %q, Stop on %v", shown, value, msg, stopOn)
	}
	u.uiMu.Lock()
	test.Tap(sh.stopBtn)
	u.uiMu.Unlock()
	if err := <-st.stopped; !errors.Is(err, context.Canceled) {
		t.Fatalf("Share's context ended with %v", err)
	}
	u.wait()
	if sh.message.Text != "Stopped. No copy was made and no link was copied." {
		t.Fatalf("after Stop the dialog says %q", sh.message.Text)
	}
	if sh.bar.Visible() || sh.stopBtn.Visible() || sh.makeBtn.Disabled() {
		t.Fatalf("after Stop: bar %v, Stop %v, Copy link disabled %v", sh.bar.Visible(), sh.stopBtn.Visible(), sh.makeBtn.Disabled())
	}
	if sh.link.Text != "" || u.app.Clipboard().Content() != "" || len(f.shares) != 0 {
		t.Fatalf("a link was made after Stop: %q, clipboard %q, %v", sh.link.Text, u.app.Clipboard().Content(), f.shares)
	}
}

// A copy that finishes goes on to the link as before, with the bar gone.
func TestShareProgressThenLink(t *testing.T) {
	u, f, st := newSteppedShare(t)
	f.shareCopy = ".ossvault/shared/0123456789abcdef/contract.pdf"
	sh := u.sharing
	sh.with.SetSelected("Alice")
	test.Tap(sh.makeBtn)
	<-st.reported
	close(st.release)
	u.wait()
	if len(f.shares) != 1 || sh.link.Text != f.shares[0] || sh.bar.Visible() || sh.stopBtn.Visible() {
		t.Fatalf("after the copy: links %v, shown %q, bar %v, Stop %v", f.shares, sh.link.Text, sh.bar.Visible(), sh.stopBtn.Visible())
	}
	if sh.bar.Value != 1 {
		t.Fatalf("the bar stopped at %v before the link", sh.bar.Value)
	}
}

// "Share with" lists colleagues (and company keys), not me.
func TestShareLeavesMeOut(t *testing.T) {
	f := readyFake()
	f.keys = append(f.keys, Key{Name: "Finance", Kind: KeyKMS})
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	opts := u.sharing.with.Options
	if slices.Contains(opts, "Me (My key)") || !slices.Contains(opts, "Alice") || !slices.Contains(opts, "Finance (company key)") {
		t.Fatalf("Share with offers %q", opts)
	}
}

func TestShareWithNoColleagueSaysWhatToDo(t *testing.T) {
	f := readyFake()
	f.keys = f.keys[:1] // only mine
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	sh := u.sharing
	if len(sh.with.Options) != 0 || !sh.makeBtn.Disabled() || sh.message.Text != "To share a file, first add a colleague's key on the Keys screen." {
		t.Fatalf("with no colleague: options %q, Copy link disabled %v, message %q", sh.with.Options, sh.makeBtn.Disabled(), sh.message.Text)
	}
}

// Stopping Share while it reads the original or while it sends the copy
// leaves no copy and no unfinished upload in the bucket, and no plaintext
// in the temporary folder.
func TestRealShareCanceledLeavesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		// stopAt is the share of the work done at which Stop is pressed.
		stopAt float64
	}{
		{"while reading", 0},
		{"while sending", 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			home := t.TempDir()
			b := openTestBackend(t, home)
			ctx := context.Background()
			if _, err := b.Accounts().StartLocal(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Keys().Generate(ctx, "Mine", 2048); err != nil {
				t.Fatal(err)
			}
			b2 := openTestBackend(t, t.TempDir())
			if _, err := b2.Keys().Generate(ctx, "Alice's own", 2048); err != nil {
				t.Fatal(err)
			}
			pub, err := b2.Keys().ExportPublic(ctx, "Alice's own")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Keys().AddPublic(ctx, "Alice", pub); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "big.bin")
			if err := os.WriteFile(src, bytes.Repeat([]byte("confidential "), 2<<20), 0o600); err != nil { // 26 MB: a multipart upload
				t.Fatal(err)
			}
			loc := Location{Account: localAccountName, Bucket: demoBucket}
			if _, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine"}); err != nil {
				t.Fatal(err)
			}
			waitJobs(t, b)

			sctx, stop := context.WithCancel(ctx)
			defer stop()
			var calls int
			_, err = b.Sharing().Share(sctx, loc, "big.bin", "Alice", time.Hour, func(done, total int64) {
				calls++
				if float64(done) >= tc.stopAt*float64(total) {
					stop()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Share stopped with %v, want context.Canceled", err)
			}
			if calls == 0 {
				t.Fatal("Share reported no progress")
			}
			bk := sdkBucket(t, b)
			if lr, err := bk.ListObjects(oss.Prefix(transfer.SharedPrefix)); err != nil || len(lr.Objects) != 0 {
				t.Fatalf("a copy for Alice is in the bucket (%v, %v)", lr.Objects, err)
			}
			ups, err := bk.ListMultipartUploads()
			if err != nil {
				t.Fatal(err)
			}
			if len(ups.Uploads) != 0 {
				t.Fatalf("unfinished uploads left: %+v", ups.Uploads)
			}
			objs, err := bk.ListObjectsV2(oss.Prefix(""))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs.Objects {
				if o.Key != "big.bin" && o.Key != ".ossvault/leaves/big.bin" { // the upload's leaf table
					t.Errorf("left in the bucket: %q", o.Key)
				}
			}
			left, err := filepath.Glob(filepath.Join(tmp, "ossvault-share-*"))
			if err != nil || len(left) != 0 {
				t.Fatalf("temporary plaintext left: %v (%v)", left, err)
			}
		})
	}
}

// "Open a shared link" says at once, while typing or pasting, that the
// text is not a link, not only once the box loses focus.
func TestOpenLinkSaysNotALinkAsTyped(t *testing.T) {
	u := startMain(t, readyFake())
	sh := u.sharing
	sh.showOpenLink()
	saveIn := sh.openMsg.Text
	test.Type(sh.pasted, "see you at 3")
	notALink := "That is not a link. Paste the whole link, starting with https://."
	if sh.openMsg.Text != notALink {
		t.Fatalf("after typing other text the dialog says %q", sh.openMsg.Text)
	}
	if !overlayButton(t, u, "Download").Disabled() {
		t.Fatal("Download is on for text that is not a link")
	}
	sh.pasted.SetText("https://demo.oss-cn-hangzhou.aliyuncs.com/a.pdf?Expires=1")
	if sh.openMsg.Text != saveIn || overlayButton(t, u, "Download").Disabled() {
		t.Fatalf("with a link pasted: message %q, Download disabled %v", sh.openMsg.Text, overlayButton(t, u, "Download").Disabled())
	}
	sh.pasted.SetText("")
	if sh.openMsg.Text != saveIn {
		t.Fatalf("an empty box says %q", sh.openMsg.Text)
	}
}
