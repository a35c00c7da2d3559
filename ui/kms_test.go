package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/kmslocal"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

// The sentences a user reads when a company (KMS) key cannot be added.
const (
	sayKMSDenied      = "The company key would not work with this account's AccessKey. Ask your administrator to check the AccessKey and its permission to use the key."
	sayKMSUnreachable = "Cannot reach the service that keeps the company key. Check this computer's internet connection and the key's region and address, then try again."
	sayKMSNotFound    = "No company key with that ID was found in that region. Check the key ID and the region your administrator gave you."
	sayKMSNoAccount   = "A company key works through an Alibaba Cloud account. Connect to Alibaba Cloud OSS first, then add the key."
	sayKMSDisabled    = "The company key is switched off or about to be deleted. Ask your administrator."
	sayKMSAdded       = "The company key was added."
)

// kmsRegion is where the company key lives; the app's region list has it.
const kmsRegion = "cn-hangzhou"

// kmsWorld is a company's cloud as the app meets it: KMS (internal/kmslocal
// over HTTPS, with its own certificate authority, which the app trusts
// through SSL_CERT_FILE as a company's private CA would be) and an OSS
// endpoint standing in for Alibaba Cloud OSS, where the office's AccessKey
// signs in. The office AccessKey is known to KMS; noKMS signs in to OSS only,
// and otherSecret is the office's AccessKey ID with a secret KMS does not
// have.
type kmsWorld struct {
	srv   *kmslocal.Server
	ep    *kmslocal.Endpoint
	keyID string
	oss   string

	office, noKMS, otherSecret osslocal.Credential
}

func newKMSWorld(t *testing.T) *kmsWorld {
	t.Helper()
	w := &kmsWorld{
		office:      osslocal.Credential{AccessKeyID: "LTAIofficeKMSuser", AccessKeySecret: "office-secret-for-oss-and-kms"},
		noKMS:       osslocal.Credential{AccessKeyID: "LTAIofficeOSSonly", AccessKeySecret: "oss-only-secret"},
		otherSecret: osslocal.Credential{AccessKeyID: "LTAIrotatedInKMS", AccessKeySecret: "the-old-secret"},
	}
	w.srv = kmslocal.NewServer()
	w.srv.AddAccessKey(w.office.AccessKeyID, w.office.AccessKeySecret)
	w.srv.AddAccessKey(w.otherSecret.AccessKeyID, "the-new-secret")
	var err error
	if w.keyID, err = w.srv.CreateKey(kmsRegion, "company key"); err != nil {
		t.Fatal(err)
	}
	if w.ep, err = kmslocal.ServeTLS(w.srv); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.ep.Close() })
	ca := filepath.Join(t.TempDir(), "company-ca.pem")
	if err := os.WriteFile(ca, w.ep.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", ca)
	// The environment's AccessKeys must not stand in for the account's.
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}

	cloud, err := osslocal.New(osslocal.Options{Store: osslocal.NewMemoryStore(),
		Credentials: []osslocal.Credential{w.office, w.noKMS, w.otherSecret}})
	if err != nil {
		t.Fatal(err)
	}
	if w.oss, err = cloud.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cloud.Close() })
	return w
}

// openApp opens the app on a new home with the local store, signed in to
// the stand-in for Alibaba Cloud OSS with cred (none when cred is nil), and
// shows the keys screen.
func (w *kmsWorld) openApp(t *testing.T, cred *osslocal.Credential) (*appUI, *realBackend) {
	t.Helper()
	home := t.TempDir()
	b := openTestBackend(t, home)
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		err := b.Accounts().Add(context.Background(), Account{Name: "Head office", Endpoint: w.oss, Region: kmsRegion},
			Credentials{AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret})
		if err != nil {
			t.Fatalf("signing in to the stand-in for OSS: %v", err)
		}
	}
	a := test.NewTempApp(t)
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, win, b, home, Prefs{DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	// No key of mine yet, so the app opened on the first-run key step; go
	// on to the main screen as "Later" would, holding the UI lock against
	// the background tasks showMain starts.
	u.do(u.showMain)
	u.wait()
	u.tabs.SelectIndex(2)
	return u, b
}

// addKMSThroughDialog taps "Add a company key", fills in the dialog as a
// user would (the key ID, the region from the list, the address) and taps
// Add. It returns what the keys screen then says.
func addKMSThroughDialog(t *testing.T, u *appUI, keyID, region, address string) string {
	t.Helper()
	test.Tap(u.keysView.kmsBtn)
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog after tapping the company key button")
	}
	var entries []*widget.Entry
	var sel *widget.Select
	var add *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		switch v := unwrapped(o).(type) {
		case *widget.Entry:
			entries = append(entries, v)
		case *widget.Select:
			sel = v
		case *widget.Button:
			if v.Text == "Add" {
				add = v
			}
		}
	}
	if len(entries) != 3 || sel == nil || add == nil {
		t.Fatalf("the dialog has %d fields, region list %v, Add button %v; want name, key ID and address", len(entries), sel != nil, add != nil)
	}
	name, id, addr := entries[0], entries[1], entries[2]
	if name.Text != "Company key" {
		t.Fatalf("the first field reads %q, want the suggested name", name.Text)
	}
	test.Type(id, keyID)
	i := -1
	for j, r := range ossRegions {
		if r.ID == region {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("region %s is not in the app's list", region)
	}
	sel.SetSelected(sel.Options[i])
	test.Type(addr, address)
	test.Tap(add)
	u.wait()
	if o := u.win.Canvas().Overlays().Top(); o != nil {
		t.Fatal("the dialog is still open after Add")
	}
	return u.keysView.message.Text
}

// kmsKeysIn lists the company keys saved in home, read from disk afresh.
func kmsKeysIn(t *testing.T, home string) []string {
	t.Helper()
	v, err := vault.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range v.Keys() {
		if k.Kind == vault.KindKMS {
			out = append(out, k.Name)
		}
	}
	return out
}

// TestKMSKeyRealBackend adds a company key through the keys screen against
// KMS over HTTPS, uploads a file locked with it to the store on this
// computer, checks with the plain SDK that it is stored KMS-encrypted, and
// downloads it back through the app.
func TestKMSKeyRealBackend(t *testing.T) {
	w := newKMSWorld(t)
	u, b := w.openApp(t, &w.office)

	msg := addKMSThroughDialog(t, u, w.keyID, kmsRegion, w.ep.Host)
	if msg != sayKMSAdded {
		t.Fatalf("after Add the keys screen says %q, want %q", msg, sayKMSAdded)
	}
	if n := w.srv.Calls("Encrypt"); n < 1 {
		t.Errorf("adding the key made %d Encrypt calls to KMS, want the check to reach it", n)
	}
	if got := kmsKeysIn(t, b.Home()); len(got) != 1 || got[0] != "Company key" {
		t.Fatalf("company keys saved: %q", got)
	}
	u.wait()
	var listed bool
	for _, r := range u.keysView.rows {
		listed = listed || (r.key != nil && r.key.Name == "Company key" && r.key.Kind == KeyKMS)
	}
	if !listed {
		t.Errorf("the keys screen does not list the company key: %+v", u.keysView.rows)
	}

	data := bytes.Repeat([]byte("board minutes, strictly confidential\n"), 30000)
	src := filepath.Join(t.TempDir(), "board minutes.txt")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	ids, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Company key"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("upload: %v %v", ids, err)
	}
	waitJobs(t, b)
	if j := lastJob(t, b); j.State != JobDone {
		t.Fatalf("upload ended %v: %v", j.State, j.Err)
	}

	// The stored object, read with the plain SDK: KMS-wrapped CSE headers,
	// ciphertext, and it opens with the vault's identities (KMS Decrypt).
	bk := sdkBucket(t, b)
	h, err := bk.GetObjectDetailedMeta("board minutes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Get("X-Oss-Meta-Client-Side-Encryption-Wrap-Alg"); got != envelope.WrapKMS {
		t.Errorf("wrap-alg %q, want %q", got, envelope.WrapKMS)
	}
	decrypts := w.srv.Calls("Decrypt")
	checkEncrypted(t, bk, b.Vault(), "board minutes.txt", data)
	if w.srv.Calls("Decrypt") == decrypts {
		t.Error("the SDK-side check opened the object without asking KMS")
	}
	r, err := bk.GetObject("board minutes.txt")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(r)
	r.Close()
	if err != nil || bytes.Contains(stored, []byte("board minutes, strictly")) {
		t.Fatalf("the stored object holds the plaintext (%v)", err)
	}

	// The download through the app asks KMS to unwrap the data key.
	decrypts = w.srv.Calls("Decrypt")
	dir := t.TempDir()
	if _, err := b.Transfers().Download(context.Background(), loc, "board minutes.txt", dir); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	j := lastJob(t, b)
	if j.State != JobDone || j.Seal != SealVerified {
		t.Fatalf("download ended %v, seal %v: %v", j.State, j.Seal, j.Err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "board minutes.txt"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes (%v), want the %d uploaded", len(got), err, len(data))
	}
	if w.srv.Calls("Decrypt") == decrypts {
		t.Error("the download did not ask KMS to unwrap the data key")
	}
	if l, err := b.Storage().Lock(context.Background(), loc, "board minutes.txt"); err != nil || l.Kind != LockKMS || l.KeyName != "Company key" {
		t.Errorf("\"locked with\" reads %+v (%v), want the company key", l, err)
	}
}

// TestKMSKeyFailuresRealBackend: what a user meets when a company key cannot
// be used reads as a sentence on the keys screen, and the key is not left
// behind: the same name can be added once the details are right.
func TestKMSKeyFailuresRealBackend(t *testing.T) {
	w := newKMSWorld(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name    string
		cred    *osslocal.Credential
		keyID   string
		region  string
		address string
		want    string
	}{
		{"AccessKey unknown to KMS", &w.noKMS, w.keyID, kmsRegion, w.ep.Host, sayKMSDenied},
		{"AccessKey secret KMS does not have", &w.otherSecret, w.keyID, kmsRegion, w.ep.Host, sayKMSDenied},
		{"KMS address that does not answer", &w.office, w.keyID, kmsRegion, deadAddr, sayKMSUnreachable},
		{"mistyped key ID", &w.office, "key-doesnotexist0000", kmsRegion, w.ep.Host, sayKMSNotFound},
		{"key from another region", &w.office, w.keyID, "cn-shanghai", w.ep.Host, sayKMSNotFound},
		{"no Alibaba Cloud account", nil, w.keyID, kmsRegion, w.ep.Host, sayKMSNoAccount},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, b := w.openApp(t, tc.cred)
			keysBefore := b.Vault().Keys()
			msg := addKMSThroughDialog(t, u, tc.keyID, tc.region, tc.address)
			if msg != tc.want {
				t.Fatalf("the keys screen says %q, want %q", msg, tc.want)
			}
			for _, secret := range []string{w.noKMS.AccessKeySecret, w.otherSecret.AccessKeySecret, w.office.AccessKeySecret} {
				if bytes.Contains([]byte(msg), []byte(secret)) {
					t.Fatal("the sentence holds a secret")
				}
			}
			if got := kmsKeysIn(t, b.Home()); len(got) != 0 {
				t.Fatalf("the failed key was left in the vault: %q", got)
			}
			if after := b.Vault().Keys(); len(after) != len(keysBefore) {
				t.Fatalf("keys before %+v, after %+v", keysBefore, after)
			}
			if _, err := b.Vault().Key("Company key"); !errors.Is(err, vault.ErrKeyNotFound) {
				t.Fatalf("looking up the failed key: %v, want not found", err)
			}
			if tc.cred == nil || *tc.cred != w.office {
				return
			}
			// Nothing half-added stands in the way of getting it right.
			if msg := addKMSThroughDialog(t, u, w.keyID, kmsRegion, w.ep.Host); msg != sayKMSAdded {
				t.Fatalf("adding the key with the right details then says %q", msg)
			}
			if got := kmsKeysIn(t, b.Home()); len(got) != 1 {
				t.Fatalf("company keys after the retry: %q", got)
			}
		})
	}
}

// TestKMSKeyDisabledRealBackend: a key switched off in KMS after it was
// added fails the upload with the sentence for it, on the transfers row.
func TestKMSKeyDisabledRealBackend(t *testing.T) {
	w := newKMSWorld(t)
	u, b := w.openApp(t, &w.office)
	if msg := addKMSThroughDialog(t, u, w.keyID, kmsRegion, w.ep.Host); msg != sayKMSAdded {
		t.Fatalf("adding: %q", msg)
	}
	if err := w.srv.SetKeyState(w.keyID, kmslocal.Disabled); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "plan.txt")
	if err := os.WriteFile(src, []byte("plan"), 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	if _, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Company key"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	j := lastJob(t, b)
	if j.State != JobFailed {
		t.Fatalf("upload with a disabled key ended %v", j.State)
	}
	if got := u.explain(j.Err); got != sayKMSDisabled {
		t.Fatalf("the failed upload reads %q (%v), want %q", got, j.Err, sayKMSDisabled)
	}
	if _, err := sdkBucket(t, b).GetObjectDetailedMeta("plan.txt"); err == nil {
		t.Error("an object was stored although KMS refused the key")
	}
}

// TestExplainKMS maps each KMS outcome, wrapped as the vault and the
// transfer engine wrap it, to its sentence, ahead of the network sentences
// that its causes would otherwise match.
func TestExplainKMS(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, Err: os.NewSyscallError("connect", errors.New("connection refused"))}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"denied", &kms.Error{Op: "encrypt", Kind: kms.ErrAccessDenied, Code: "SignatureDoesNotMatch"}, sayKMSDenied},
		{"no credentials", fmt.Errorf("KMS key %q has no credentials: %w", "x", kms.ErrNoCredentials), sayKMSNoAccount},
		{"not found", &kms.Error{Op: "encrypt", Kind: kms.ErrKeyNotFound}, sayKMSNotFound},
		{"wrong region", &kms.Error{Op: "encrypt", Kind: kms.ErrWrongRegion}, sayKMSNotFound},
		{"disabled", &kms.Error{Op: "encrypt", Kind: kms.ErrKeyDisabled}, sayKMSDisabled},
		{"refused on loopback", &kms.Error{Op: "encrypt", Kind: kms.ErrUnreachable, Err: refused}, sayKMSUnreachable},
		{"timeout", &kms.Error{Op: "decrypt", Kind: kms.ErrTimeout}, sayKMSUnreachable},
		{"busy", &kms.Error{Op: "encrypt", Kind: kms.ErrUnavailable}, sayKMSUnreachable},
		{"certificate", &kms.Error{Op: "encrypt", Kind: kms.ErrCertificate}, sayKMSUnreachable},
		{"not KMS", &kms.Error{Op: "encrypt", Kind: kms.ErrBadResponse}, sayKMSUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := fmt.Errorf("failed to upload: %w", fmt.Errorf("failed to use the KMS key: %w", tc.err))
			if got := explain(err, nil); got != tc.want {
				t.Errorf("explain(%v) = %q, want %q", err, got, tc.want)
			}
		})
	}
}
