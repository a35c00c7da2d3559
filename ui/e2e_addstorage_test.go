package ui

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestE2EAddStorage adds a second storage account from the main screen in
// a real window: Add storage… opens the connect page, Back returns to the
// files, a wrong secret is said on the page, which keeps what was typed,
// and the right one connects and shows the new account beside This
// computer. The secret is in the keychain, in no file of the app's.
func TestE2EAddStorage(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home, ready, env := appEnv(t, bin)
	env = append(env, "HOME="+t.TempDir())
	cred := [2]string{"LTAIaddstorage", "add-storage-secret-4cf1"}
	ep := startServeLocal(t, bin, filepath.Join(t.TempDir(), "store"), cred)
	s, _, _ := startLongNames(t, bin, display, env, ready)

	s.click("button", "Add storage…")
	s.waitText("AccessKey secret", 30*time.Second)
	s.click("button", "Back")
	s.waitText("Add storage…", 10*time.Second)

	s.click("button", "Add storage…")
	fill := func(field, text string) {
		t.Helper()
		s.entryBeside(field)
		s.press(xkA, xkCtrlL)
		s.typeText(text)
	}
	fill("Name", "Team store")
	fill("Address", ep.url)
	fill("AccessKey ID", cred[0])
	fill("AccessKey secret", "not-the-secret")
	s.click("button", "Connect")
	s.waitSays("The sign-in details for this storage account are not right. Check the AccessKey ID and secret.", 20*time.Second)
	fill("AccessKey secret", cred[1])
	s.click("button", "Connect")
	s.waitText("Team store", 20*time.Second)
	v := s.wait("the files of both accounts", 10*time.Second, func(v screenText) bool {
		_, local := v.find("text", "This computer")
		_, menu := v.find("button", "Add storage…")
		return local && menu
	})
	if v.Layers > 0 {
		s.fatalf("a dialog is open after connecting")
	}

	// What the app wrote for the account holds no secret.
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(cred[1])) {
			t.Errorf("the AccessKey secret is written in %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
