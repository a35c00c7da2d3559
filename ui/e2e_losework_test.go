package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"

	"github.com/ossvault/ossvault/transfer"
)

// TestE2EUploadClashAsks drops files whose names are already taken in the
// demo bucket on the real window, and answers the question each drop asks:
// Keep both puts the new file beside the old one as "report (2).pdf";
// answered one by one, Replace takes april.xlsx's place while Skip leaves
// may.xlsx as it was; "for all" with Skip sends nothing at all. A second
// start in Simplified Chinese asks the same in Chinese, and its Replace
// replaces. What is stored is then read back through the store.
//
// The build the issue was filed against uploaded over the old file with no
// question: no "Replace files?" appears and the test fails at the first
// drop. The first fixed build asked once for every clashing file, with no
// Skip when all of them clashed and no answer per file, and its status line
// named the file kept beside the old one by the old one's name: the test
// fails on that line, and without it waiting for "(1 of 2)".
func TestE2EUploadClashAsks(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home := t.TempDir()
	b := openTestBackend(t, home)
	_, old := realUploads(t, b, 3000, "report.pdf", "april.xlsx", "may.xlsx")
	waitJobs(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	write := func(name, text string) (string, []byte) {
		p, data := filepath.Join(dir, name), []byte(text)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p, data
	}
	report, newReport := write("report.pdf", "the report, second draft")
	april, newApril := write("april.xlsx", "april, corrected")
	may, _ := write("may.xlsx", "may, corrected")

	s, win, src, closeApp := openClashWindow(t, bin, display, home, "en")
	drop := func(paths ...string) {
		t.Helper()
		if err := src.drop(win, 400, 300, paths); err != nil {
			s.fatalf("drop: %v", err)
		}
	}

	// Keep both: the new file under a free name, the old one untouched.
	drop(report)
	s.waitText("Replace files?", 30*time.Second)
	clashButtons(s, "Replace", "Keep both", "Cancel")
	s.click("button", "Keep both")
	s.wait("a row “report (2).pdf”", 60*time.Second, func(v screenText) bool {
		return slices.ContainsFunc(v.all("text", "report (2).pdf"), func(it screenItem) bool { return it.Text == "report (2).pdf" })
	})
	s.waitText("Uploaded “report.pdf” as “report (2).pdf”", 30*time.Second)

	// One by one: Replace for the first, Skip for the second.
	drop(april, may)
	s.waitText("Replace files? (1 of 2)", 30*time.Second)
	s.waitText("“april.xlsx” already exists", 5*time.Second)
	clashButtons(s, "Replace", "Keep both", "Skip", "Cancel")
	s.waitText("Do the same for the other file that already exists", 5*time.Second)
	s.click("button", "Replace")
	s.waitText("Replace files? (2 of 2)", 30*time.Second)
	s.waitText("“may.xlsx” already exists", 5*time.Second)
	s.click("button", "Skip")
	s.waitText("Uploaded “april.xlsx”", 60*time.Second)

	// For all, Skip: nothing goes up, though april.xlsx changed again.
	write("april.xlsx", "april, third version")
	drop(april, may)
	s.waitText("Replace files? (1 of 2)", 30*time.Second)
	s.click("check", "Do the same for the other file")
	s.wait("the box ticked", 10*time.Second, func(v screenText) bool {
		c, ok := v.find("check", "Do the same for the other file")
		return ok && c.On
	})
	s.click("button", "Skip")
	s.waitText("Nothing to upload: every file is already there.", 30*time.Second)
	if v, _ := s.read(); slices.ContainsFunc(v.Items, func(it screenItem) bool { return strings.HasPrefix(it.Text, "Replace files?") }) {
		s.fatalf("\"for all\" asked about the second file all the same")
	}
	noQueuedJobs(s, home)
	closeApp()

	// In Simplified Chinese: the question and its buttons, then Replace.
	zh := readTranslations(t, "zh")
	report, newReport2 := write("report.pdf", "the report, final")
	s, win, src, closeApp = openClashWindow(t, bin, display, home, "zh_CN")
	drop(report)
	s.waitText(zh["Replace files?"], 30*time.Second)
	msg := strings.ReplaceAll(zh["“{{.Name}}” already exists in this folder. Replacing it removes the file that is there now, for everyone who uses this storage."], "{{.Name}}", "report.pdf")
	// The message wraps: its start, up to the file's name, is on one line.
	s.waitText(msg[:strings.Index(msg, "report.pdf")+len("report.pdf")], 5*time.Second)
	clashButtons(s, zh["Replace"], zh["Keep both"], zh["Cancel"])
	if v, _ := s.read(); len(v.all("button", "Replace")) > 0 || len(v.all("button", "Keep both")) > 0 {
		s.fatalf("English buttons in the Chinese question")
	}
	s.click("button", zh["Replace"])
	uploaded := strings.ReplaceAll(zh["Uploaded “{{.Name}}”, locked for {{.Key}}."], "{{.Name}}", "report.pdf")
	s.waitText(strings.Split(uploaded, "{{.Key}}")[0], 60*time.Second)
	closeApp()

	// What the bucket holds now, read through the store.
	b = openTestBackend(t, home)
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	bk := sdkBucket(t, b)
	for key, want := range map[string][]byte{
		"report.pdf":     newReport2,
		"report (2).pdf": newReport,
		"april.xlsx":     newApril,
		"may.xlsx":       old["may.xlsx"],
	} {
		checkEncrypted(t, bk, b.Vault(), key, want)
	}
	lor, err := bk.ListObjects()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range lor.Objects {
		keys = append(keys, o.Key)
	}
	if want := []string{"april.xlsx", "may.xlsx", "report (2).pdf", "report.pdf"}; !slices.Equal(keys, want) {
		t.Errorf("the bucket holds %q, want %q", keys, want)
	}
}

// openClashWindow starts the app on home in language lang and returns its
// screen, window and a drag source, and a function that closes it.
func openClashWindow(t *testing.T, bin, display, home, lang string) (*realScreen, xproto.Window, *xdndSource, func()) {
	t.Helper()
	screen, screenEnv := screenTextFile(t)
	ready := filepath.Join(t.TempDir(), "ready")
	env := append(os.Environ(), "OSSVAULT_HOME="+home, "HOME="+t.TempDir(), "LANGUAGE="+lang,
		"OSSVAULT_FYNE_DIALOGS=1", screenEnv, readyFileEnv+"="+ready)
	appLog, exited, src, win := openLocalWindow(t, bin, display, env, ready)
	s := openRealScreen(t, display, screen, src, appLog)
	return s, win, src, func() {
		t.Helper()
		if err := src.closeWindow(win); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("the app exited with %v\n%s", err, appLog)
			}
		case <-time.After(30 * time.Second):
			s.fatalf("the app did not close")
		}
	}
}

// clashButtons checks that the question on top offers each of labels.
func clashButtons(s *realScreen, labels ...string) {
	s.t.Helper()
	s.wait("the question's buttons", 10*time.Second, func(v screenText) bool {
		for _, l := range labels {
			if it, ok := v.find("button", l); !ok || it.Layer == 0 {
				return false
			}
		}
		return true
	})
}

// noQueuedJobs checks that the transfer journal holds no unfinished job.
func noQueuedJobs(s *realScreen, home string) {
	s.t.Helper()
	j, err := transfer.OpenJournal(home)
	if err != nil {
		s.t.Fatal(err)
	}
	recs, err := j.List()
	if err != nil || len(recs) > 0 {
		s.fatalf("jobs queued after Skip: %+v (%v)", recs, err)
	}
}

// readTranslations reads ui/translations/NAME.json.
func readTranslations(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("translations", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
