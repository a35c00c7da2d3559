package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// kmsDialog is the open company-key dialog, its fields found as a user sees
// them: the entries (name, key ID, address), the lists (the account choice,
// when there is one, then the region) and the form's labels.
type kmsDialog struct {
	entries []*widget.Entry
	selects []*widget.Select
	labels  []string
	add     *widget.Button
}

// openKMSDialog taps btn and reads the dialog it opens.
func openKMSDialog(t *testing.T, u *appUI, btn *widget.Button) *kmsDialog {
	t.Helper()
	test.Tap(btn)
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog after tapping the company key button")
	}
	d := &kmsDialog{}
	for _, o := range test.LaidOutObjects(top) {
		switch v := unwrapped(o).(type) {
		case *widget.Entry:
			d.entries = append(d.entries, v)
		case *widget.Select:
			d.selects = append(d.selects, v)
		case *canvas.Text:
			d.labels = append(d.labels, v.Text)
		case *widget.Button:
			if v.Text == "Add" {
				d.add = v
			}
		}
	}
	if len(d.entries) != 3 || len(d.selects) == 0 || d.add == nil {
		t.Fatalf("the dialog has %d entries, %d lists, Add button %v", len(d.entries), len(d.selects), d.add != nil)
	}
	return d
}

// account returns the account choice, or nil when the dialog has none: the
// region list is always there and always the last list.
func (d *kmsDialog) account(t *testing.T) *widget.Select {
	t.Helper()
	hasLabel := slices.Contains(d.labels, "Storage")
	switch {
	case len(d.selects) == 2 && hasLabel:
		return d.selects[0]
	case len(d.selects) == 1 && !hasLabel:
		return nil
	}
	t.Fatalf("the dialog has %d lists and labels %q", len(d.selects), d.labels)
	return nil
}

// fill types the key ID, picks region and, if given, the account, and taps
// Add.
func (d *kmsDialog) fill(t *testing.T, u *appUI, account, keyID, region, address string) {
	t.Helper()
	if account != "" {
		d.account(t).SetSelected(account)
	}
	test.Type(d.entries[1], keyID)
	regions := d.selects[len(d.selects)-1]
	for i, r := range ossRegions {
		if r.ID == region {
			regions.SetSelected(regions.Options[i])
		}
	}
	test.Type(d.entries[2], address)
	test.Tap(d.add)
	u.wait()
	if u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("the dialog is still open after Add")
	}
}

// TestKMSDialogAccountChoice: with several cloud accounts the company-key
// dialog asks which one reaches the key, offering the first; with one it
// asks nothing and uses it; with none it asks nothing and names none. The
// storage on this computer is never offered: it has no AccessKey for KMS.
func TestKMSDialogAccountChoice(t *testing.T) {
	local := Account{Name: "This computer", Local: true}
	head := Account{Name: "Head office", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", Region: "cn-hangzhou"}
	branch := Account{Name: "Branch office", Endpoint: "https://oss-cn-shanghai.aliyuncs.com", Region: "cn-shanghai"}
	for _, tc := range []struct {
		name     string
		accounts []Account
		choose   string   // "" leaves the choice as offered
		options  []string // nil: no choice shown
		want     string   // the account AddKMS is given
	}{
		{"two accounts, the first as offered", []Account{local, head, branch}, "", []string{"Head office", "Branch office"}, "Head office"},
		{"two accounts, the second chosen", []Account{head, local, branch}, "Branch office", []string{"Head office", "Branch office"}, "Branch office"},
		{"one account", []Account{local, branch}, "", nil, "Branch office"},
		{"no cloud account", []Account{local}, "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := readyFake()
			f.accounts = tc.accounts
			u := startMain(t, f)
			u.tabs.SelectIndex(2)
			d := openKMSDialog(t, u, u.keysView.kmsBtn)
			acct := d.account(t)
			if (acct != nil) != (tc.options != nil) {
				t.Fatalf("account choice shown: %v, want %v", acct != nil, tc.options != nil)
			}
			if acct != nil && (!slices.Equal(acct.Options, tc.options) || acct.Selected != tc.options[0]) {
				t.Fatalf("the choice offers %q with %q selected, want %q with the first", acct.Options, acct.Selected, tc.options)
			}
			d.fill(t, u, tc.choose, "key-1234", "cn-hangzhou", "")
			if len(f.kmsAdded) != 1 {
				t.Fatalf("AddKMS called %d times", len(f.kmsAdded))
			}
			got := f.kmsAdded[0]
			if got.Account != tc.want || got.KeyID != "key-1234" || got.Region != "cn-hangzhou" || got.Name != "Company key" {
				t.Fatalf("AddKMS got %+v, want account %q", got, tc.want)
			}
			if msg := u.keysView.message.Text; msg != sayKMSAdded {
				t.Errorf("the keys screen says %q", msg)
			}
		})
	}

	// The first-run key step opens the same dialog.
	f := newFakeBackend()
	f.accounts = []Account{head, branch}
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	if u.firstRun.step != "key" {
		t.Fatalf("first-run step %q, want key", u.firstRun.step)
	}
	d := openKMSDialog(t, u, u.firstRun.kmsBtn)
	if acct := d.account(t); acct == nil || !slices.Equal(acct.Options, []string{"Head office", "Branch office"}) {
		t.Fatal("the first-run dialog does not offer both accounts")
	}
	d.fill(t, u, "Branch office", "key-5678", "cn-hangzhou", "")
	if len(f.kmsAdded) != 1 || f.kmsAdded[0].Account != "Branch office" {
		t.Fatalf("AddKMS got %+v", f.kmsAdded)
	}
	if u.firstRun.step != "backup" {
		t.Errorf("after adding the key the first-run step is %q, want backup", u.firstRun.step)
	}
}

// TestKMSKeyAccountChoiceRealBackend: with two accounts, the first signed in
// with an AccessKey KMS does not know, the offered first account fails the
// check and saves nothing; choosing the second adds the key, linked to it,
// and it locks a file through KMS.
func TestKMSKeyAccountChoiceRealBackend(t *testing.T) {
	w := newKMSWorld(t)
	u, b := w.openApp(t, &w.noKMS)
	err := b.Accounts().Add(context.Background(), Account{Name: "Branch office", Endpoint: w.oss, Region: kmsRegion},
		Credentials{AccessKeyID: w.office.AccessKeyID, AccessKeySecret: w.office.AccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}

	d := openKMSDialog(t, u, u.keysView.kmsBtn)
	if acct := d.account(t); acct == nil || !slices.Equal(acct.Options, []string{"Head office", "Branch office"}) || acct.Selected != "Head office" {
		t.Fatalf("account choice %+v", acct)
	}
	d.fill(t, u, "", w.keyID, kmsRegion, w.ep.Host)
	if msg := u.keysView.message.Text; msg != sayKMSDenied {
		t.Fatalf("with the first account the keys screen says %q, want %q", msg, sayKMSDenied)
	}
	if got := kmsKeysIn(t, b.Home()); len(got) != 0 {
		t.Fatalf("the refused key was saved: %q", got)
	}

	encrypts := w.srv.Calls("Encrypt")
	openKMSDialog(t, u, u.keysView.kmsBtn).fill(t, u, "Branch office", w.keyID, kmsRegion, w.ep.Host)
	if msg := u.keysView.message.Text; msg != sayKMSAdded {
		t.Fatalf("with the second account the keys screen says %q", msg)
	}
	if w.srv.Calls("Encrypt") == encrypts {
		t.Error("the key was added without asking KMS")
	}
	k, err := b.Vault().Key("Company key")
	if err != nil || k.KMS == nil || k.KMS.Account != "Branch office" || k.KMS.OwnCredentials {
		t.Fatalf("saved key %+v (%v), want it linked to Branch office", k.KMS, err)
	}
	w2, err := b.Vault().Wrapper(context.Background(), "Company key")
	if err != nil {
		t.Fatal(err)
	}
	encrypts = w.srv.Calls("Encrypt")
	if _, err := w2.Wrap(context.Background(), make([]byte, 32)); err != nil || w.srv.Calls("Encrypt") == encrypts {
		t.Fatalf("locking with the added key: %v", err)
	}
}
