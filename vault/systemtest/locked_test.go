package systemtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/ossvault/ossvault/internal/cli"
	"github.com/ossvault/ossvault/vault"
)

// The locked-keychain tests each run in a session of their own: a private
// session bus with its own gnome-keyring on a throw-away data folder, so that
// locking it never disturbs the keyring the other tests share.
const (
	lockedCaseEnv    = "OSSVAULT_LOCKED_CASE"
	lockedDisplayEnv = "OSSVAULT_LOCKED_CLIENT_DISPLAY"
	keyringPassword  = "ossvault-locked-test"
	// hangGuard is how long a failing call may take. The keychain answers in
	// milliseconds; the bound only tells a quick error from a hang.
	hangGuard = 30 * time.Second
)

type lockedCase struct {
	name string
	// daemonDisplay gives the keyring daemon (and so its password prompt)
	// a display; clientDisplay gives one to ossvault.
	daemonDisplay, clientDisplay bool
	// dismiss has the test close every prompt as soon as it appears, as a
	// user would; answer has it type the password instead.
	dismiss, answer bool
	// timeout is the vault's keychain timeout; zero means the default.
	timeout time.Duration
	// want is a phrase the error must contain besides the plain advice.
	want string
	// cli also runs "ossvault key gen", whose keychain has the default
	// two-minute timeout, so only for cases that must fail quickly.
	cli bool
}

var lockedCases = []lockedCase{
	// A server or container: no display anywhere, no prompt possible.
	{name: "NoDisplay", want: "no desktop session", timeout: time.Minute, cli: true},
	// A terminal over SSH into a computer whose desktop session is locked:
	// the prompt would appear on that screen and nobody would answer it.
	{name: "DesktopElsewhere", daemonDisplay: true, want: "no desktop session", timeout: time.Minute, cli: true},
	// The user is asked and presses Cancel.
	{name: "PromptDismissed", daemonDisplay: true, clientDisplay: true, dismiss: true, want: "the unlock prompt was dismissed", timeout: time.Minute, cli: true},
	// The user is asked and types the password: everything works.
	{name: "PromptAnswered", daemonDisplay: true, clientDisplay: true, answer: true, timeout: time.Minute},
	// The user is asked and walks away: the timeout is the last resort.
	{name: "PromptUnanswered", daemonDisplay: true, clientDisplay: true, want: "nobody answered the unlock prompt within 2s", timeout: 2 * time.Second},
}

// TestLockedKeychain: with the keychain locked, reading and storing secrets
// fail quickly, in plain words, with ErrKeychainLocked (which is also
// ErrKeychainUnavailable), and no secret lands in a plain file. Once the
// keychain is unlocked the same vault works again.
func TestLockedKeychain(t *testing.T) {
	if os.Getenv(lockedCaseEnv) != "" {
		t.Skip("running as a locked-keychain session")
	}
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "Xvfb"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing: install the Makefile's TEST_PKGS", tool)
			}
			t.Skipf("%s is missing: %v", tool, err)
		}
	}
	for _, c := range lockedCases {
		t.Run(c.name, func(t *testing.T) {
			var display string
			if c.daemonDisplay || c.clientDisplay {
				display = startXvfb(t)
			}
			dir := t.TempDir()
			env := []string{lockedCaseEnv + "=" + c.name, "HOME=" + dir, "XDG_DATA_HOME=" + filepath.Join(dir, "data"), "XDG_RUNTIME_DIR=" + filepath.Join(dir, "run")}
			if err := os.Mkdir(filepath.Join(dir, "run"), 0o700); err != nil {
				t.Fatal(err)
			}
			if c.daemonDisplay {
				env = append(env, "DISPLAY="+display)
			}
			if c.clientDisplay {
				env = append(env, lockedDisplayEnv+"="+display)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "dbus-run-session", "--", os.Args[0], "-test.run=^TestLockedKeychainSession$", "-test.v", "-test.count=1")
			cmd.Env = append(withoutSession(os.Environ()), env...)
			out, err := cmd.CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("--- PASS: TestLockedKeychainSession")) {
				t.Fatalf("locked-keychain session failed (%v):\n%s", err, out)
			}
			for line := range strings.Lines(string(out)) {
				if i := strings.Index(line, "locked_test.go"); i >= 0 {
					t.Log(strings.TrimSpace(line[i:]))
				}
			}
		})
	}
}

// startXvfb starts a display of its own for the unlock prompts, so that
// closing them cannot touch another test's windows.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "800x600x24")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// Xvfb writes its display number once it accepts connections.
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb did not start: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// withoutSession drops what ties a process to the current desktop session,
// its bus and its keyring.
func withoutSession(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
			"GNOME_KEYRING_CONTROL", "HOME", "OSSVAULT_IN_SERVICES", lockedCaseEnv, lockedDisplayEnv:
			continue
		}
		out = append(out, kv)
	}
	return out
}

// TestLockedKeychainSession is one locked-keychain case, run by
// TestLockedKeychain inside its private session.
func TestLockedKeychainSession(t *testing.T) {
	var c lockedCase
	for _, lc := range lockedCases {
		if lc.name == os.Getenv(lockedCaseEnv) {
			c = lc
		}
	}
	if c.name == "" {
		t.Skip("run by TestLockedKeychain")
	}
	startKeyring(t)
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()

	home := t.TempDir()
	kc := vault.SystemKeychain{Timeout: c.timeout}
	openVault := func() *vault.Vault {
		v, err := vault.Open(home, vault.WithKeychain(kc))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const accountSecret = "AccountSecretMustNotLand42"
	const laterSecret = "LaterSecretMustNotLand42"
	v := openVault()
	if _, err := v.GenerateRSA(ctx, "before", 2048, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(vault.Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id"}, accountSecret, ""); err != nil {
		t.Fatal(err)
	}
	e, dk := seal(t, v, "before")
	if _, err := v.ImportPrivateKey("doomed", newPrivateKeyPEM(t), nil); err != nil {
		t.Fatal(err)
	}

	setCollectionLocked(t, conn, true)
	if c.clientDisplay {
		t.Setenv("DISPLAY", os.Getenv(lockedDisplayEnv))
	} else {
		os.Unsetenv("DISPLAY")
		os.Unsetenv("WAYLAND_DISPLAY")
	}
	if c.answer {
		// The user types the password: the prompt unlocks the keychain and
		// the call goes through.
		stop := promptUser(t, os.Getenv(lockedDisplayEnv), conn, true)
		start := time.Now()
		err := opens(openVault(), e, dk)
		took := time.Since(start)
		n := stop()
		if err != nil || took > hangGuard || n == 0 {
			t.Fatalf("reading a key through an answered prompt: %v after %v, %d prompts answered", err, took, n)
		}
		if collectionIsLocked(t, conn) {
			t.Fatal("the keychain is still locked after the prompt was answered")
		}
		t.Logf("read a private key through %d answered prompt: ok after %v", n, took.Round(time.Millisecond))
		return
	}
	var stopDismissing func() int
	if c.dismiss {
		stopDismissing = promptUser(t, os.Getenv(lockedDisplayEnv), conn, false)
	}

	later := newPrivateKeyPEM(t)
	ops := []struct {
		name string
		run  func() error
	}{
		{"read a private key", func() error { return opens(openVault(), e, dk) }},
		{"read an account secret", func() error { _, _, _, err := openVault().Credentials("acct"); return err }},
		{"generate a key", func() error { _, err := v.GenerateRSA(ctx, "later", 2048, nil); return err }},
		{"import a key", func() error { _, err := v.ImportPrivateKey("imported", later, nil); return err }},
		{"add an account", func() error {
			_, err := v.AddAccount(vault.Account{Name: "acct2", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id2"}, laterSecret, "")
			return err
		}},
		// The key leaves the registry; its secret stays in the keychain and
		// the error says so.
		{"remove a key", func() error { return v.Remove("doomed") }},
	}
	for _, op := range ops {
		start := time.Now()
		err := op.run()
		took := time.Since(start)
		switch {
		case took > hangGuard:
			t.Fatalf("%s: took %v, want under %v: %v", op.name, took, hangGuard, err)
		case !errors.Is(err, vault.ErrKeychainLocked) || !errors.Is(err, vault.ErrKeychainUnavailable):
			t.Errorf("%s: got %v, want ErrKeychainLocked and ErrKeychainUnavailable", op.name, err)
		case !strings.Contains(err.Error(), "the keychain is locked") || !strings.Contains(err.Error(), "unlock it (e.g. log in to the desktop session) and try again") || !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: message %q does not say it is locked, why (%q) and what to do", op.name, err, c.want)
		default:
			t.Logf("%s: %v after %v", op.name, err, took.Round(time.Millisecond))
		}
	}

	if c.cli {
		var stdout, stderr bytes.Buffer
		env := map[string]string{"OSSVAULT_HOME": home}
		stdio := cli.Stdio{In: strings.NewReader(""), Out: &stdout, Err: &stderr, Getenv: func(k string) string { return env[k] }, IsTerminal: func() bool { return false }}
		start := time.Now()
		code := cli.Main([]string{"key", "gen", "from-cli"}, stdio, nil)
		took := time.Since(start)
		msg := stderr.String()
		if took > hangGuard || code != cli.ExitFailure || !strings.HasPrefix(msg, "ossvault: ") || strings.Count(msg, "\n") != 1 ||
			!strings.Contains(msg, "the keychain is locked") || !strings.Contains(msg, "and try again") {
			t.Errorf("key gen: exit %d after %v, stderr %q", code, took, msg)
		} else {
			t.Logf("key gen: exit %d after %v: %s", code, took.Round(time.Millisecond), strings.TrimSpace(msg))
		}
	}

	// Nothing that failed was registered, and no secret was written to a
	// plain file instead.
	w := openVault()
	for _, name := range []string{"later", "imported", "from-cli"} {
		if _, err := w.Key(name); !errors.Is(err, vault.ErrKeyNotFound) {
			t.Errorf("key %q registered without its secret: %v", name, err)
		}
	}
	if _, err := w.Account("acct2"); !errors.Is(err, vault.ErrAccountNotFound) {
		t.Errorf("account registered without its secret: %v", err)
	}
	laterBody := later[40:100]
	scanTree(t, home, map[string][]byte{
		"account secret":        []byte(accountSecret),
		"later account secret":  []byte(laterSecret),
		"a private key":         []byte("PRIVATE KEY"),
		"the imported key body": laterBody,
	})

	// Unlocked again, the same vault works: the errors above came from the
	// lock and nothing else.
	if stopDismissing != nil {
		n := stopDismissing()
		if n == 0 {
			t.Error("no unlock prompt was shown to be dismissed")
		}
		t.Logf("dismissed %d unlock prompts", n)
	}
	setCollectionLocked(t, conn, false)
	if err := opens(openVault(), e, dk); err != nil {
		t.Fatalf("after unlocking: %v", err)
	}
	if _, secret, _, err := openVault().Credentials("acct"); err != nil || secret != accountSecret {
		t.Fatalf("after unlocking, the account secret reads back wrong: %v", err)
	}
	if _, err := v.ImportPrivateKey("imported", later, nil); err != nil {
		t.Fatalf("after unlocking: %v", err)
	}
}

// startKeyring starts gnome-keyring on this session's bus with a new login
// keyring, unlocked with keyringPassword, and waits until it answers.
func startKeyring(t *testing.T) {
	t.Helper()
	cmd := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets")
	cmd.Stdin = strings.NewReader(keyringPassword)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gnome-keyring-daemon: %v\n%s", err, out)
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		locked, err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/collection/login").GetProperty("org.freedesktop.Secret.Collection.Locked")
		if err == nil && locked.Value() == false {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the login keyring is not ready: locked %v, %v", locked, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// setCollectionLocked locks the login collection through the Secret Service,
// or unlocks it with its password through gnome-keyring's own interface for
// that (the standard Unlock would show a prompt).
func setCollectionLocked(t *testing.T, conn *dbus.Conn, locked bool) {
	t.Helper()
	const collection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if locked {
		var done []dbus.ObjectPath
		var prompt dbus.ObjectPath
		if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{collection}).Store(&done, &prompt); err != nil {
			t.Fatalf("failed to lock the keyring: %v", err)
		}
	} else {
		var out dbus.Variant
		var session dbus.ObjectPath
		if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
			t.Fatal(err)
		}
		secret := struct {
			Session     dbus.ObjectPath
			Parameters  []byte
			Value       []byte
			ContentType string
		}{session, []byte{}, []byte(keyringPassword), "text/plain"}
		if err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, collection, secret).Err; err != nil {
			t.Fatalf("failed to unlock the keyring: %v", err)
		}
	}
	if collectionIsLocked(t, conn) != locked {
		t.Fatalf("keyring locked = %v, want %v", !locked, locked)
	}
}

func collectionIsLocked(t *testing.T, conn *dbus.Conn) bool {
	t.Helper()
	v, err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/collection/login").GetProperty("org.freedesktop.Secret.Collection.Locked")
	if err != nil {
		t.Fatalf("failed to read whether the keyring is locked: %v", err)
	}
	locked, ok := v.Value().(bool)
	if !ok {
		t.Fatalf("the keyring's Locked property is %v", v)
	}
	return locked
}

// promptUser stands in for the user at the display: it waits for the
// session's unlock prompts to appear and answers each once, by closing its
// window as the close button does (answer false) or by typing the keyring's
// password and Enter (answer true). Only windows of the session's own
// prompter process are touched. stop reports how many prompts it answered.
func promptUser(t *testing.T, display string, bus *dbus.Conn, answer bool) (stop func() int) {
	t.Helper()
	x, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("failed to connect to display %s: %v", display, err)
	}
	if err := xtest.Init(x); err != nil {
		t.Fatalf("display %s has no XTEST: %v", display, err)
	}
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(x, false, uint16(len(name)), name).Reply()
		if err != nil {
			t.Fatal(err)
		}
		return r.Atom
	}
	wmProtocols, wmDelete, wmPID := atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"), atom("_NET_WM_PID")
	setup := xproto.Setup(x)
	root := setup.DefaultScreen(x).Root
	keycodes := keycodesOf(t, x, setup)

	closeWindow := func(w xproto.Window) error {
		ev := xproto.ClientMessageEvent{Format: 32, Window: w, Type: wmProtocols,
			Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(wmDelete), xproto.TimeCurrentTime, 0, 0, 0})}
		return xproto.SendEventChecked(x, false, w, xproto.EventMaskNoEvent, string(ev.Bytes())).Check()
	}
	typePassword := func(w xproto.Window) error {
		if err := xproto.SetInputFocusChecked(x, xproto.InputFocusParent, w, xproto.TimeCurrentTime).Check(); err != nil {
			return err
		}
		keys := make([]xproto.Keysym, 0, len(keyringPassword)+1)
		for _, r := range keyringPassword {
			keys = append(keys, xproto.Keysym(r))
		}
		keys = append(keys, 0xff0d) // Return
		for _, k := range keys {
			code, ok := keycodes[k]
			if !ok {
				return fmt.Errorf("no key for keysym %#x", k)
			}
			for _, ev := range []byte{xproto.KeyPress, xproto.KeyRelease} {
				if err := xtest.FakeInputChecked(x, ev, byte(code), 0, root, 0, 0, 0).Check(); err != nil {
					return err
				}
			}
		}
		return nil
	}

	answered := map[xproto.Window]bool{}
	// answerOnce answers the prompter's visible windows not answered yet.
	answerOnce := func() {
		var pid uint32
		if bus.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, "org.gnome.keyring.SystemPrompter").Store(&pid) != nil {
			return
		}
		tree, err := xproto.QueryTree(x, root).Reply()
		if err != nil {
			return
		}
		for _, w := range tree.Children {
			if answered[w] {
				continue
			}
			p, err := xproto.GetProperty(x, false, w, wmPID, xproto.AtomCardinal, 0, 1).Reply()
			if err != nil || p.ValueLen != 1 || xgb.Get32(p.Value) != pid {
				continue
			}
			a, err := xproto.GetWindowAttributes(x, w).Reply()
			if err != nil || a.MapState != xproto.MapStateViewable {
				continue
			}
			// Give the dialog a moment to take input, as a person would.
			time.Sleep(300 * time.Millisecond)
			act := closeWindow
			if answer {
				act = typePassword
			}
			if err := act(w); err != nil {
				t.Errorf("answering the prompt in window %d: %v", w, err)
			}
			answered[w] = true
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				answerOnce()
			}
		}
	})
	return func() int {
		close(done)
		wg.Wait()
		x.Close()
		return len(answered)
	}
}

// keycodesOf maps the unshifted keysym of every key to its keycode.
func keycodesOf(t *testing.T, x *xgb.Conn, setup *xproto.SetupInfo) map[xproto.Keysym]xproto.Keycode {
	t.Helper()
	n := byte(setup.MaxKeycode - setup.MinKeycode + 1)
	m, err := xproto.GetKeyboardMapping(x, setup.MinKeycode, n).Reply()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[xproto.Keysym]xproto.Keycode{}
	per := int(m.KeysymsPerKeycode)
	for i := 0; i < int(n); i++ {
		if k := m.Keysyms[i*per]; k != 0 {
			if _, dup := codes[k]; !dup {
				codes[k] = setup.MinKeycode + xproto.Keycode(i)
			}
		}
	}
	return codes
}

func newPrivateKeyPEM(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// scanTree fails if any file under dir contains one of the secrets.
func scanTree(t *testing.T, dir string, secrets map[string][]byte) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for what, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s found in %s", what, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no files under %s to scan", dir)
	}
}
