package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// unwrapped is the Fyne widget one of the dialogs' own controls wraps
// (keyButton, keyCheck, keySelect), or o itself.
func unwrapped(o fyne.CanvasObject) fyne.CanvasObject {
	if k, ok := o.(interface{ shown() fyne.CanvasObject }); ok {
		return k.shown()
	}
	return o
}

// overlayButton returns the button labelled text in the dialog on top.
func overlayButton(t *testing.T, u *appUI, text string) *widget.Button {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := unwrapped(o).(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button in the dialog", text)
	return nil
}

// overlayEntries returns the dialog's text entries, top to bottom.
func overlayEntries(u *appUI) []*widget.Entry {
	var out []*widget.Entry
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if e, ok := unwrapped(o).(*widget.Entry); ok {
			out = append(out, e)
		}
	}
	return out
}

// Deleting asked "Yes / No" with Yes in the inviting blue of every safe
// action; the buttons say Delete and Cancel, and Delete is marked as
// destructive. Cancel deletes nothing.
func TestDeleteConfirmationSaysWhatItDoes(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "old.txt")
	test.Tap(u.browser.deleteBtn)
	del := overlayButton(t, u, "Delete")
	if del.Importance != widget.DangerImportance {
		t.Fatalf("Delete has importance %v", del.Importance)
	}
	test.Tap(overlayButton(t, u, "Cancel"))
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["old.txt"]; !ok {
		t.Fatal("Cancel deleted the file")
	}
	test.Tap(u.browser.deleteBtn)
	test.Tap(overlayButton(t, u, "Delete"))
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["old.txt"]; ok {
		t.Fatal("Delete did not delete the file")
	}
}

// Choosing a colleague in "Encrypt for" locks what is dropped next for
// them alone: the uploader cannot open it afterwards. Say so when they are
// chosen, and take it back when the user goes back to their own key.
func TestEncryptForAColleagueWarns(t *testing.T) {
	u := startMain(t, readyFake())
	const warning = "Files you upload now can be opened only by Alice, not by you."
	u.browser.encryptFor.SetSelected("Alice")
	if u.status.Text != warning {
		t.Fatalf("with Alice chosen the status line says %q", u.status.Text)
	}
	u.browser.encryptFor.SetSelected("Me (My key)")
	if u.status.Text == warning {
		t.Fatal("the warning stays after going back to my own key")
	}
}

// What a download found out ("✓ intact") was forgotten when the language
// changed, and the column went back to "protected".
func TestLanguageChangeKeepsTamperChecks(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	l, _ := f.Storage().Lock(u.ctx, u.browser.loc, "contract.pdf")
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) {
		j.State, j.Done, j.Seal, j.ETag = JobDone, j.Total, SealVerified, l.ETag
	})
	u.wait()
	if got := sealOnScreen(t, u.browser, "contract.pdf"); got != "✓ intact" {
		t.Fatalf("after the download the column says %q", got)
	}
	// Back to English before the app closes: look-ups may still be landing.
	t.Cleanup(func() { u.do(func() { setLanguage("en") }) })
	u.do(func() { u.settings.onLanguage("zh") })
	u.wait()
	u.do(func() { sealOnScreen(t, u.browser, "contract.pdf") }) // asks for the lock again
	u.browser.locks.wait()
	u.wait()
	var got string
	u.do(func() { got = sealOnScreen(t, u.browser, "contract.pdf") })
	if got != "✓ 完好" {
		t.Fatalf("after switching to Chinese the column says %q", got)
	}
}
