// The keys screen's backup and restore of every key, behind a passphrase.

package ui

import (
	"bytes"
	"context"
	"errors"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
)

// onBackupDialog asks for the passphrase twice, then where to save.
func (s *keysScreen) onBackupDialog() {
	p1, p2 := s.u.newKeyPassword(), s.u.newKeyPassword()
	// The dialog says what is wrong while it is open and keeps the save
	// button off until it is right, instead of closing and making the user
	// start over.
	p1.Validator = func(v string) error {
		if err := checkPassphrases(v, v); err != nil {
			return errors.New(s.u.explain(err))
		}
		return nil
	}
	p2.Validator = func(v string) error {
		if v != p1.Text {
			return errors.New(s.u.explain(errPassphraseMismatch))
		}
		return nil
	}
	p1.OnChanged = func(string) { p2.Validate() }
	first := widget.NewFormItem(lang.L("Passphrase"), p1)
	first.HintText = lang.L("At least {{.N}} characters.", map[string]any{"N": app.MinPassphrase})
	items := []*widget.FormItem{
		first,
		widget.NewFormItem(lang.L("Passphrase again"), p2),
	}
	d := s.u.newForm(lang.L("Back up my keys"), lang.L("Choose where to save"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if err := checkPassphrases(p1.Text, p2.Text); err != nil {
			s.message.SetText(s.u.explain(err))
			return
		}
		pass := p1.Text
		s.u.pick.saveFile(lang.L("Back up my keys"), backupFileName, func(w fyne.URIWriteCloser) { s.backup(w, pass) })
	})
	// Enter saves once both passphrases are right (Submit checks them);
	// Esc cancels.
	s.u.showForm(d)
}

func (s *keysScreen) backup(w io.WriteCloser, pass string) {
	s.runThen(lang.L("Saving the backup…"), lang.L("The backup is saved. Keep it somewhere safe, away from this computer."), func(ctx context.Context) error {
		return writePrivate(w, func(out io.Writer) error { return s.u.be.Keys().Backup(ctx, out, pass) })
	}, func() { s.u.setBackedUp(true) })
}

func (s *keysScreen) onRestoreDialog() {
	openFile(s.u, s.showRestore)
}

// restoreDialog asks for a backup's passphrase. It stays open until the
// keys are back or the user cancels: a wrong passphrase is said inside it,
// and the user types again, instead of starting over with the file.
type restoreDialog struct {
	d       *dialog.CustomDialog
	pass    *keyEntry
	note    *widget.Label
	restore *keyButton
}

func (s *keysScreen) showRestore(_ string, data []byte) {
	s.askRestore(data, func() { s.message.SetText(lang.L("Your keys are back.")) })
}

// askRestore asks for the passphrase of the backup data and restores its
// keys, then runs done.
func (s *keysScreen) askRestore(data []byte, done func()) {
	r := &restoreDialog{pass: s.u.newKeyPassword(), note: widget.NewLabel("")}
	r.note.Wrapping = textWrap()
	r.note.Importance = widget.DangerImportance
	cancel := s.u.newKeyButton(lang.L("Cancel"), nil)
	r.restore = s.u.newKeyButton(lang.L("Restore"), func() { s.tryRestore(r, data, done) })
	r.restore.Importance = widget.HighImportance
	form := widget.NewForm(widget.NewFormItem(lang.L("Passphrase"), r.pass))
	body := container.NewVBox(form, r.note)
	r.d = dialog.NewCustomWithoutButtons(lang.L("Restore from a backup"), body, s.u.win)
	r.d.SetButtons([]fyne.CanvasObject{cancel, r.restore})
	cancel.OnTapped = r.d.Hide
	r.pass.OnSubmitted = func(string) { r.restore.OnTapped() }
	r.d.Resize(fyne.NewSize(s.u.dialogWidth(), r.d.MinSize().Height))
	r.d.Show()
	s.u.answerKeys(func() { r.restore.OnTapped() }, r.d.Hide)
	s.u.win.Canvas().Focus(r.pass)
}

// tryRestore restores the keys from data with the passphrase typed, and
// runs done; it keeps the dialog open, and says why, if the passphrase
// does not open the backup.
func (s *keysScreen) tryRestore(r *restoreDialog, data []byte, done func()) {
	if r.restore.Disabled() {
		return
	}
	pass := r.pass.Text
	r.restore.Disable()
	r.note.Importance = widget.MediumImportance
	r.note.SetText(lang.L("Restoring the keys…"))
	goDo(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.be.Keys().Restore(ctx, bytes.NewReader(data), pass)
	}, func(_ struct{}, err error) {
		r.restore.Enable()
		if err != nil {
			r.note.Importance = widget.DangerImportance
			r.note.SetText(s.u.explain(err))
			r.pass.SetText("")
			s.u.win.Canvas().Focus(r.pass)
			return
		}
		r.d.Hide()
		s.u.setBackedUp(true)
		s.u.reloadKeys()
		done()
	})
}

// restore restores the keys from data with pass, saying how it went on the
// keys screen.
func (s *keysScreen) restore(data []byte, pass string) {
	s.runThen(lang.L("Restoring the keys…"), lang.L("Your keys are back."), func(ctx context.Context) error {
		return s.u.be.Keys().Restore(ctx, bytes.NewReader(data), pass)
	}, func() { s.u.setBackedUp(true) })
}
