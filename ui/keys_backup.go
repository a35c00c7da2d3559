// The keys screen's backup and restore of every key, behind a passphrase.

package ui

import (
	"bytes"
	"context"
	"errors"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
)

// onBackupDialog asks for the passphrase twice, then where to save.
func (s *keysScreen) onBackupDialog() {
	p1, p2 := widget.NewPasswordEntry(), widget.NewPasswordEntry()
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
	dialog.ShowForm(lang.L("Back up my keys"), lang.L("Choose where to save"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if err := checkPassphrases(p1.Text, p2.Text); err != nil {
			s.message.SetText(s.u.explain(err))
			return
		}
		pass := p1.Text
		s.u.pick.saveFile(lang.L("Back up my keys"), backupFileName, func(w fyne.URIWriteCloser) { s.backup(w, pass) })
	}, s.u.win)
}

func (s *keysScreen) backup(w io.WriteCloser, pass string) {
	s.runThen(lang.L("Saving the backup…"), lang.L("The backup is saved. Keep it somewhere safe, away from this computer."), func(ctx context.Context) error {
		return writePrivate(w, func(out io.Writer) error { return s.u.be.Keys().Backup(ctx, out, pass) })
	}, func() { s.u.setBackedUp(true) })
}

func (s *keysScreen) onRestoreDialog() {
	openFile(s.u, func(_ string, data []byte) {
		p := widget.NewPasswordEntry()
		dialog.ShowForm(lang.L("Restore from a backup"), lang.L("Restore"), lang.L("Cancel"),
			[]*widget.FormItem{widget.NewFormItem(lang.L("Passphrase"), p)}, func(ok bool) {
				if ok {
					s.restore(data, p.Text)
				}
			}, s.u.win)
	})
}

func (s *keysScreen) restore(data []byte, pass string) {
	s.runThen(lang.L("Restoring the keys…"), lang.L("Your keys are back."), func(ctx context.Context) error {
		return s.u.be.Keys().Restore(ctx, bytes.NewReader(data), pass)
	}, func() { s.u.setBackedUp(true) })
}
