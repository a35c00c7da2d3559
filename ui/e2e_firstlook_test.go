package ui

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestE2EFirstLook opens the app as a new user does, with --local on an
// empty home, in a real window: the first screen says what the app is for
// before it asks for a key; once the key is made, the empty demo folder
// shows a drop zone across the file list, not a line of small print.
func TestE2EFirstLook(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home, user := t.TempDir(), t.TempDir()
	screen, screenEnv := screenTextFile(t)
	env := append(os.Environ(), "OSSVAULT_HOME="+home, "HOME="+user, "LANGUAGE=en", screenEnv)
	appLog, _ := runApp(t, bin, env, "--local")
	src, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	s := openRealScreen(t, display, screen, src, appLog)

	s.waitText("Your key", 30*time.Second)
	v, _ := s.read()
	if _, ok := v.find("", "locks your files on this computer before they go to cloud storage"); !ok {
		s.fatalf("the first screen does not say what the app is for")
	}

	// The key's name typed over the one offered.
	s.click("entry", "")
	s.press(xkA, xkCtrlL)
	s.typeText("Mine")
	s.click("button", "Create my key")
	// The key made, the app asks for a backup first; later is fine.
	s.click("button", "Not now")
	s.waitGone("Not now", 30*time.Second)
	if sel := s.waitText("Mine", 30*time.Second); sel.Kind != "select" {
		s.fatalf("the key typed shows as %+v, not in Encrypt for", sel)
	}
	zone := s.waitText("This folder is empty", 60*time.Second)
	v, _ = s.read()
	if mid := zone.center(); mid.X < v.Width/4 || mid.X > v.Width*3/4 || mid.Y < v.Height/4 || mid.Y > v.Height*3/4 {
		s.fatalf("the empty folder's drop zone is %+v on a %.0fx%.0f window: not where a person looks", zone, v.Width, v.Height)
	}
	if !strings.Contains(zone.Text, "Drop files here") {
		s.fatalf("the empty folder says %q", zone.Text)
	}
}
