package ui

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"
)

// The errors that sent people the wrong way (issue 15), in a real window:
// each test reads the sentence the window shows, whole, and checks that it
// names what to do, and not what the old build said instead.

// says reports whether the screen shows sentence, whole: a wrapped label
// is one text item a line, and its lines come one after the other in the
// description, so the texts are read joined by spaces.
func (v screenText) says(sentence string) bool {
	var b strings.Builder
	for _, it := range v.Items {
		if it.Kind == "text" {
			b.WriteString(it.Text)
			b.WriteByte(' ')
		}
	}
	return strings.Contains(b.String(), sentence)
}

// waitSays waits for the screen to show sentence whole.
func (s *realScreen) waitSays(sentence string, d time.Duration) screenText {
	s.t.Helper()
	return s.wait("the sentence "+sentence, d, func(v screenText) bool { return v.says(sentence) })
}

// entryBeside clicks the entry on the row of the form label text.
func (s *realScreen) entryBeside(label string) {
	s.t.Helper()
	var it screenItem
	s.wait("an entry beside "+label, 30*time.Second, func(v screenText) bool {
		l, ok := v.find("text", label)
		if !ok {
			return false
		}
		mid := l.center().Y
		for _, e := range v.all("entry", "") {
			if e.Layer == l.Layer && e.Y <= mid && mid <= e.Y+e.H && e.X > l.X {
				it = e
				return true
			}
		}
		return false
	})
	if err := s.mouse.click(it.center()); err != nil {
		s.t.Fatal(err)
	}
}

// retryShown is whether a Retry button (the refresh icon) is on show on
// the window's content.
func retryShown(v screenText) bool {
	icon := theme.ViewRefreshIcon().Name()
	return slices.ContainsFunc(v.Items, func(it screenItem) bool {
		return it.Kind == "button" && it.Layer == 0 && it.Icon == icon
	})
}

// linkPeople is a sender with an account on a serve-local endpoint and a
// recipient, Erin, with a key and no account; the sender has stored a file
// locked for Erin's key.
type linkPeople struct {
	sender, erin *person
	object       string
}

func newLinkPeople(t *testing.T, bin string) linkPeople {
	t.Helper()
	root := t.TempDir()
	cred := [2]string{"LTAIlinkerrors", "link-errors-secret"}
	ep := startServeLocal(t, bin, filepath.Join(root, "store"), cred)
	mk := func(name string, account bool) *person {
		p := &person{t: t, bin: bin, name: name, home: filepath.Join(root, "home-"+name), user: filepath.Join(root, "user-"+name)}
		for _, d := range []string{p.home, p.user} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		p.env = append(os.Environ(), "OSSVAULT_HOME="+p.home, "HOME="+p.user, "LANGUAGE=en")
		if account {
			p.env = append(p.env, "OSS_ENDPOINT="+ep.url, "OSS_ACCESS_KEY_ID="+cred[0], "OSS_ACCESS_KEY_SECRET="+cred[1])
		}
		p.must(nil, "key", "gen", name, "--bits", "2048")
		return p
	}
	lp := linkPeople{sender: mk("Sam", true), erin: mk("Erin", false)}
	lp.sender.must([]byte(lp.erin.must(nil, "key", "export-public", "Erin")), "key", "add-public", "Erin", "--public-key", "/dev/stdin")
	lp.sender.must(nil, "mb", "oss://shared")
	lp.sender.must(nil, "account", "add", "Sam's storage", "--endpoint", ep.url)
	file := filepath.Join(root, "report.txt")
	if err := os.WriteFile(file, []byte("the quarter's figures\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lp.object = "oss://shared/report.txt"
	lp.sender.must(nil, "put", file, lp.object, "--key", "Erin")
	return lp
}

// link is a link to the shared file that works for d.
func (lp linkPeople) link(d string) string {
	return strings.TrimSpace(lp.sender.must(nil, "share", lp.object, "--expires", d))
}

// readOnlyFolder is a folder that even root cannot write in, as a user
// meets a read-only disk (a write-protected USB stick, a CD, a share
// mounted read-only): tests run as root, for whom mode bits stop nothing,
// but the kernel's own file systems refuse a new file there. The test
// checks that a write really fails, and skips when no such folder exists.
func readOnlyFolder(t *testing.T) string {
	t.Helper()
	for _, d := range []string{"/sys/fs", "/sys/kernel", "/sys"} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		f, err := os.CreateTemp(d, ".ossvault-check-*")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
			continue
		}
		if errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission) {
			return d
		}
	}
	t.Skip("no folder here refuses a write")
	return ""
}

// damaged changes one character of the link's signature, as a link
// retyped by hand or altered on its way does.
func damaged(t *testing.T, link string) string {
	t.Helper()
	i := strings.Index(link, "Signature=")
	if i < 0 || i+len("Signature=") >= len(link) {
		t.Fatalf("the link has no signature: %s", link)
	}
	i += len("Signature=")
	c := byte('A')
	if link[i] == 'A' {
		c = 'B'
	}
	return link[:i] + string(c) + link[i+1:]
}

// TestE2ELinkErrors opens shared links that cannot work as their recipient
// does, with a key and no storage account, in a real window: "I received a
// link" on the welcome with a link whose signature was changed, then "Open
// a shared link…" on the main screen with an expired link and with one cut
// short. Each says what is wrong with the link and to ask the sender for a
// new one, with no Retry; the build the issue was filed against said "The
// sign-in details for this storage account are not right. Check the
// AccessKey ID…", cut off, with Retry, to someone who has no account, and
// so fails here. Then a good link, with the download folder on a disk that
// cannot be written: the window says so and names the folder, where the
// old build said "Cannot reach the storage service"; and Settings refuses
// such a folder, and a folder inside a file, with a sentence, where the
// old build took both.
func TestE2ELinkErrors(t *testing.T) {
	display := needDisplay(t)
	roDir := readOnlyFolder(t)
	bin := buildApp(t)
	lp := newLinkPeople(t, bin)
	erin := lp.erin
	expiring := lp.link("1s")
	good := lp.link("1h")
	if err := (Prefs{DownloadDir: roDir}).save(erin.home); err != nil {
		t.Fatal(err)
	}
	screen, screenEnv := screenTextFile(t)
	appLog, _ := runApp(t, bin, append(erin.env, screenEnv))
	src, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	s := openRealScreen(t, display, screen, src, appLog)

	const (
		linkDamaged = "This link is damaged or was changed: ask the sender for a new one."
		linkExpired = "This link has expired. Ask for a new one."
		signIn      = "sign-in details"
	)
	// A recipient's welcome: the link, changed in one character.
	s.click("button", "I received a link")
	s.click("entry", "Paste the link you were sent")
	s.typeText(damaged(t, good))
	s.click("button", "Next")
	v := s.waitSays(linkDamaged, 30*time.Second)
	if v.says(signIn) {
		s.fatalf("a damaged link, opened with no account, talks of sign-in details")
	}
	if retryShown(v) {
		s.fatalf("a damaged link's failure offers Retry, which cannot help")
	}

	// The main screen's "Open a shared link…": an expired link.
	s.clickExact("text", "Files")
	s.click("button", "Open a shared link…")
	s.click("entry", "Paste the link you were sent")
	s.typeText(expiring)
	s.click("button", "Download")
	v = s.waitSays(linkExpired, 30*time.Second)
	if v.says(signIn) || v.says(linkDamaged) {
		s.fatalf("an expired link reads as damaged or as sign-in details")
	}

	// A link cut short in its signature.
	cut := good[:strings.Index(good, "Signature=")+len("Signature=")+5]
	s.click("button", "Open a shared link…")
	s.click("entry", "Paste the link you were sent")
	s.typeText(cut)
	s.click("button", "Download")
	s.wait("the cut link's sentence", 30*time.Second, func(v screenText) bool { return v.says(linkDamaged) && !v.says(linkExpired) })

	s.clickExact("text", "Transfers")
	v = s.waitSays(linkExpired, 10*time.Second)
	if retryShown(v) {
		s.fatalf("a failed link offers Retry, which cannot help")
	}

	// A good link, and the download folder on a disk that cannot be
	// written.
	roSentence := "The folder “" + roDir + "” cannot be written to: the disk is read-only or this computer does not allow it. Choose another download folder in Settings."
	s.clickExact("text", "Files")
	s.click("button", "Open a shared link…")
	s.click("entry", "Paste the link you were sent")
	s.typeText(good)
	s.click("button", "Download")
	// The status line holds the sentence, cut where the window is too
	// narrow for it, as is the transfer's row: the folder and the cause
	// show, and the whole sentence where the folder is chosen (below).
	v = s.wait("the read-only folder's sentence", 30*time.Second, func(v screenText) bool {
		for _, it := range v.all("text", "report.txt: ") {
			shown := strings.TrimSuffix(it.Text, "…")
			if strings.HasPrefix("report.txt: "+roSentence, shown) && strings.Contains(shown, "” cannot be written to") {
				return true
			}
		}
		return false
	})
	if v.says("Cannot reach the storage service") {
		s.fatalf("a read-only download folder reads as the network")
	}

	// Settings refuses such a folder, and one inside a file.
	s.clickExact("text", "Settings")
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("not a folder\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(roDir, "Downloads"), filepath.Join(notes, "Downloads")} {
		s.entryBeside("Download folder")
		s.press(xkA, xkCtrlL)
		s.typeText(dir)
		s.press(xkReturn)
		s.waitSays("The folder “"+dir+"” cannot be written to: the disk is read-only or this computer does not allow it. Choose another download folder in Settings.", 10*time.Second)
	}
	if p, err := loadPrefs(erin.home); err != nil || p.DownloadDir != roDir {
		t.Errorf("after the refusals the download folder is %q (%v), want %q still", p.DownloadDir, err, roDir)
	}
}
