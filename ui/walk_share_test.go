package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// slowSharing holds Share until release is closed, as a large file being
// locked again for a colleague does.
type slowSharing struct {
	Sharing
	release chan struct{}
}

func (s slowSharing) Share(ctx context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error) {
	<-s.release
	return s.Sharing.Share(ctx, loc, key, forKey, expires, progress)
}

type slowShareBackend struct {
	*fakeBackend
	release chan struct{}
}

func (b slowShareBackend) Sharing() Sharing {
	return slowSharing{b.fakeBackend.Sharing(), b.release}
}

// While the link is being prepared, Copy link cannot be pressed again to
// start the same work twice, and a spinner and a sentence say that a copy
// is being locked for the colleague, which takes a while for a large file
// (it read "Preparing the link…" for half a minute on a 1 GB file).
func TestCopyLinkWaitsForTheLink(t *testing.T) {
	f := readyFake()
	be := slowShareBackend{f, make(chan struct{})}
	u := startMain(t, be)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	sh := u.sharing
	sh.with.SetSelected("Alice")
	test.Tap(sh.makeBtn)
	if !sh.makeBtn.Disabled() || !sh.busy.Visible() || sh.message.Text != "Locking a copy for Alice… a large file takes a while." {
		t.Fatalf("while the link is made: button disabled %v, spinner %v, message %q", sh.makeBtn.Disabled(), sh.busy.Visible(), sh.message.Text)
	}
	close(be.release)
	u.wait()
	if sh.makeBtn.Disabled() || sh.busy.Visible() || len(f.shares) != 1 {
		t.Fatalf("after the link: button disabled %v, spinner %v, %d links made", sh.makeBtn.Disabled(), sh.busy.Visible(), len(f.shares))
	}
}

// Download in "Open a shared link" on text that is no link closed the
// dialog and lost what was pasted; it now waits for a link.
func TestOpenLinkWaitsForALink(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	test.Tap(u.browser.openLink)
	dl := overlayButton(t, u, "Download")
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"", false},
		{"see you at 5", false},
		{"  https://demo.oss-cn-hangzhou.aliyuncs.com/a.txt?Expires=1  ", true},
		{"http://127.0.0.1:40113/demo/a.txt?Expires=1", true},
	} {
		u.sharing.pasted.SetText(tc.text)
		if dl.Disabled() == tc.ok {
			t.Errorf("pasted %q: Download enabled %v, want %v", tc.text, !dl.Disabled(), tc.ok)
		}
	}
	test.Tap(dl)
	u.wait()
	if len(f.opened) != 1 {
		t.Fatalf("%d links opened", len(f.opened))
	}
}

// Sharing a file locked for me writes a copy locked for the colleague,
// out of the folder's sight; the dialog says so, and that the copy does
// not stay for good.
func TestShareSaysItMadeACopy(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	sh := u.sharing
	sh.with.SetSelected("Alice")
	f.shareCopy = ".ossvault/shared/0123456789abcdef/contract.pdf"
	test.Tap(sh.makeBtn)
	u.wait()
	const copied = "Alice gets a copy locked for them, kept out of sight in the storage. When the link expires, the app offers to remove it."
	if !strings.HasSuffix(sh.message.Text, "\n"+copied) {
		t.Fatalf("after sharing with a copy the dialog says %q", sh.message.Text)
	}
	// Closed meanwhile, the dialog would say nothing: the status line does.
	if want := "The link to “contract.pdf” for Alice is copied."; u.status.Text != want {
		t.Fatalf("status %q, want %q", u.status.Text, want)
	}
	f.shareCopy = ""
	test.Tap(sh.makeBtn)
	u.wait()
	if strings.Contains(sh.message.Text, "a copy locked for them") {
		t.Fatalf("the dialog speaks of a copy that was not made: %q", sh.message.Text)
	}
}
