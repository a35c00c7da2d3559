package ui

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestE2EBackupPassphrase opens the keys screen of a real window, in
// English and in Simplified Chinese. Back up… shows the passphrase's rule
// (at least 10 characters) before anything is typed; Restore… with a
// backup the command line made, chosen in Fyne's file dialog, and a wrong
// passphrase keeps the dialog open and says the passphrase is not right,
// and the right one then brings the keys back. In Chinese the passphrase
// is 密码, never 口令.
//
// On the build issue 15 was filed against, the rule appeared only after a
// failed try (no "At least 10 characters." on the open dialog), and a
// wrong passphrase closed the restore dialog (the test finds no dialog
// holding the sentence); the Chinese app said 口令.
func TestE2EBackupPassphrase(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	for _, tc := range []struct {
		language                               string
		keys, backUp, rule, restore, open, bad string
		back                                   string
	}{
		{"en", "Keys", "Back up my keys…", "At least 10 characters.", "Restore from a backup…", "Open", "The passphrase is not right.", "Your keys are back."},
		{"zh_CN", "密钥", "备份我的密钥…", "至少 10 个字符。", "从备份恢复…", "打开", "密码不正确。", "您的密钥已恢复。"},
	} {
		t.Run(tc.language, func(t *testing.T) {
			_, _, env := appEnv(t, bin)
			user := t.TempDir()
			screen, screenEnv := screenTextFile(t)
			// The backup, in the home folder where Fyne's file dialog opens.
			backup := exec.Command(bin, "key", "backup", filepath.Join(user, "keys.age"))
			backup.Env = append(env, "OSSVAULT_PASSPHRASE=correct horse battery")
			if out, err := backup.CombinedOutput(); err != nil {
				t.Fatalf("key backup: %v\n%s", err, out)
			}
			env = append(env, "HOME="+user, "LANGUAGE="+tc.language, "OSSVAULT_FYNE_DIALOGS=1", screenEnv)
			appLog, _ := runApp(t, bin, env, "--local")
			src, err := newXDNDSource(display)
			if err != nil {
				t.Fatal(err)
			}
			defer src.close()
			s := openRealScreen(t, display, screen, src, appLog)

			s.clickExact(tc.keys)
			s.click("button", tc.backUp)
			s.waitTitle(tc.rule, 10*time.Second)
			s.noWord("口令")
			s.press(xkEscape)
			s.waitNoDialog(10 * time.Second)

			s.click("button", tc.restore)
			// Fyne's dialog names files without their extension.
			s.clickExact("keys")
			s.click("button", tc.open)
			s.waitFocus("*widget.Entry", 10*time.Second)
			s.noWord("口令")
			s.typeText("not the passphrase")
			s.press(xkReturn)
			s.waitTitle(tc.bad, 30*time.Second)
			if v, _ := s.read(); v.Layers == 0 {
				s.fatalf("the restore dialog closed on a wrong passphrase")
			}
			s.typeText("correct horse battery")
			s.press(xkReturn)
			s.waitNoDialog(30 * time.Second)
			s.waitText(tc.back, 10*time.Second)
		})
	}
}

// clickExact clicks the topmost item whose whole text is text.
func (s *realScreen) clickExact(text string) {
	s.t.Helper()
	var it screenItem
	s.wait("an item saying "+text+" to click", 30*time.Second, func(v screenText) bool {
		for i := len(v.Items) - 1; i >= 0; i-- {
			if v.Items[i].Text == text && !v.Items[i].Off {
				it = v.Items[i]
				return true
			}
		}
		return false
	})
	if err := s.mouse.click(it.center()); err != nil {
		s.t.Fatal(err)
	}
}

// waitFocus waits until what has the keyboard is of Go type kind.
func (s *realScreen) waitFocus(kind string, d time.Duration) {
	s.t.Helper()
	s.wait("the keyboard on a "+kind, d, func(v screenText) bool { return v.Focus != nil && v.Focus.Kind == kind })
}

// noWord fails if any item on the screen holds word.
func (s *realScreen) noWord(word string) {
	s.t.Helper()
	v, _ := s.read()
	if it, ok := v.find("", word); ok {
		s.fatalf("the screen says %q", it.Text)
	}
}
