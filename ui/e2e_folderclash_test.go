package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestE2EFolderClashAsksEachFile drops the folder "Payroll" on the real
// window where Payroll/april.xlsx and Payroll/march.xlsx are already in the
// bucket, with a new june.xlsx beside them. Each clashing file is asked
// about on its own, named by its path below the folder on screen: the
// mouse answers Replace for april.xlsx, the keyboard's Enter keeps both
// for march.xlsx. The folder goes up as one upload of three files, and the
// bucket, read back through the store, holds the new april.xlsx, the old
// march.xlsx with the new one beside it as "march (2).xlsx", and june.xlsx.
//
// The build the issue was filed against asked once for both files of the
// folder ("2 of the 3 files already exist here"), with one answer for
// them all: the test fails waiting for "(1 of 2)".
func TestE2EFolderClashAsksEachFile(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home := t.TempDir()
	ctx := context.Background()
	b := openTestBackend(t, home)
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Keys().Generate(ctx, "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	old := writeFolder(t, "Payroll", map[string]string{"april.xlsx": "april, first", "march.xlsx": "march, first"})
	dest := Location{Account: localAccountName, Bucket: demoBucket}
	if _, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{old}, Dest: dest, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := (Prefs{SetupDone: true, KeysBackedUp: true}).save(home); err != nil {
		t.Fatal(err)
	}
	dropped := writeFolder(t, "Payroll", map[string]string{"april.xlsx": "april, corrected", "march.xlsx": "march, corrected", "june.xlsx": "june"})

	s, win, src, closeApp := openClashWindow(t, bin, display, home, "en")
	s.waitText("Payroll", 30*time.Second) // the folder's row: the bucket is on screen
	if err := src.drop(win, 400, 300, []string{dropped}); err != nil {
		s.fatalf("drop: %v", err)
	}
	s.waitText("Replace files? (1 of 2)", 30*time.Second)
	s.waitText("“Payroll/april.xlsx” already exists", 5*time.Second)
	clashButtons(s, "Replace", "Keep both", "Skip", "Cancel")
	s.click("button", "Replace")
	s.waitText("Replace files? (2 of 2)", 30*time.Second)
	s.waitText("“Payroll/march.xlsx” already exists", 5*time.Second)
	s.press(xkReturn)
	s.waitText("Uploaded 3 files", 60*time.Second)
	closeApp()

	b = openTestBackend(t, home)
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	bk := sdkBucket(t, b)
	want := map[string]string{
		"Payroll/april.xlsx":     "april, corrected",
		"Payroll/march.xlsx":     "march, first",
		"Payroll/march (2).xlsx": "march, corrected",
		"Payroll/june.xlsx":      "june",
	}
	for key, text := range want {
		checkEncrypted(t, bk, b.Vault(), key, []byte(text))
	}
	lor, err := bk.ListObjects()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range lor.Objects {
		keys = append(keys, o.Key)
	}
	if w := []string{"Payroll/april.xlsx", "Payroll/june.xlsx", "Payroll/march (2).xlsx", "Payroll/march.xlsx"}; !slices.Equal(keys, w) {
		t.Errorf("the bucket holds %q, want %q", keys, w)
	}
}

// writeFolder writes a folder named name holding files (name -> text)
// and returns it.
func writeFolder(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for n, text := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
