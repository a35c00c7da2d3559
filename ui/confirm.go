package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// confirmDialog is a yes-or-no question with the app's own buttons
// (keyButton): Fyne's confirm dialog has buttons that drop Esc and Enter
// once Tab has given them the keyboard, so a keyboard user who tabbed to
// Cancel could not close the question with Esc. It answers to the calls
// the app made of Fyne's.
type confirmDialog struct {
	*ownDialog
	u                *appUI
	confirm, dismiss *keyButton
	text             *widget.Label // the question, when it is a sentence
}

// ownDialog is what confirmDialog and formDialog share: the dialog, the
// callback its answer goes to, and whether its caller chose its size.
type ownDialog struct {
	*dialog.CustomDialog
	callback func(bool)
	sized    bool // the caller chose a size: showing keeps it
}

func (d *ownDialog) Resize(size fyne.Size) {
	d.sized = true
	d.CustomDialog.Resize(size)
}

// answer closes the dialog and gives callback the answer.
func (d *ownDialog) answer(yes bool) {
	d.Hide()
	if d.callback != nil {
		d.callback(yes)
	}
}

// widen gives d, unless its caller sized it, the width w, with its
// sentence text (if not nil) wrapped at that width.
func (d *ownDialog) widen(w float32, text *widget.Label) {
	switch s := d.MinSize(); {
	case d.sized:
	case text != nil:
		fitText(d.CustomDialog, text, w)
	case s.Width < w:
		d.CustomDialog.Resize(fyne.NewSize(w, s.Height))
	}
}

// dialogWidth is the width of a dialog of sentences: 480, or the
// window's less a margin in a narrower window.
func (u *appUI) dialogWidth() float32 {
	return min(float32(480), u.win.Canvas().Size().Width-40)
}

// newConfirm asks title/message; callback learns the answer. Like Fyne's,
// the buttons say No and Yes until set otherwise, and it shows on Show.
func (u *appUI) newConfirm(title, message string, callback func(bool)) *confirmDialog {
	text := widget.NewLabel(message)
	text.Wrapping = textWrap()
	c := u.newCustomConfirm(title, text, callback)
	c.text = text
	return c
}

// fitText sizes d, holding the wrapped label text, for text to fill a
// dialog as wide as w: the label is given that width first, so that the
// height asked for is that of its lines at that width, not at none.
func fitText(d *dialog.CustomDialog, text *widget.Label, w float32) {
	inner := w - 4*theme.Padding() - 2*theme.InnerPadding()
	text.Resize(fyne.NewSize(inner, text.MinSize().Height))
	d.Resize(fyne.NewSize(w, d.MinSize().Height))
}

// newCustomConfirm is newConfirm with content of its own above the
// buttons.
func (u *appUI) newCustomConfirm(title string, content fyne.CanvasObject, callback func(bool)) *confirmDialog {
	c := &confirmDialog{u: u, ownDialog: &ownDialog{callback: callback}}
	c.CustomDialog = dialog.NewCustomWithoutButtons(title, content, u.win)
	c.dismiss = u.newKeyButton(lang.L("No"), c.Dismiss)
	c.dismiss.Icon = theme.CancelIcon()
	c.confirm = u.newKeyButton(lang.L("Yes"), c.Confirm)
	c.confirm.Icon = theme.ConfirmIcon()
	c.confirm.Importance = widget.HighImportance
	c.SetButtons([]fyne.CanvasObject{c.dismiss, c.confirm})
	return c
}

// Show shows the question, unless the caller sized it no wider than the
// window, with room for its sentence to wrap.
func (c *confirmDialog) Show() {
	c.CustomDialog.Show()
	c.widen(c.u.dialogWidth(), c.text)
}

// Confirm answers yes, as the confirm button does.
func (c *confirmDialog) Confirm() { c.answer(true) }

// Dismiss answers no, as the dismiss button does.
func (c *confirmDialog) Dismiss() { c.answer(false) }

func (c *confirmDialog) SetConfirmText(s string) { c.confirm.SetText(s) }
func (c *confirmDialog) SetDismissText(s string) { c.dismiss.SetText(s) }

func (c *confirmDialog) SetConfirmImportance(i widget.Importance) {
	c.confirm.Importance = i
	c.confirm.Refresh()
}

// newInfo is a notice with one OK button of the app's own (keyButton).
func (u *appUI) newInfo(title, message string) *dialog.CustomDialog {
	text := widget.NewLabel(message)
	text.Wrapping = textWrap()
	d := u.newCustom(title, lang.L("OK"), text)
	fitText(d, text, u.dialogWidth())
	return d
}

// newCustom is content with one button, dismiss, of the app's own
// (keyButton), which closes it.
func (u *appUI) newCustom(title, dismiss string, content fyne.CanvasObject) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, u.win)
	d.SetButtons([]fyne.CanvasObject{u.newKeyButton(dismiss, d.Hide)})
	return d
}

// formDialog is a form with the app's own buttons and fields (keyButton,
// keyEntry), for the reason confirmDialog has them: Fyne's form dialog's
// buttons and entries drop Esc, so a keyboard user in one of its fields
// could not close it. Its confirm button is off while a field's Validator
// refuses what it holds, as in Fyne's.
type formDialog struct {
	*ownDialog
	form             *widget.Form
	confirm, dismiss *keyButton
}

// newForm asks for items; callback learns whether confirm was pressed
// (or Enter in a field) with every field valid.
func (u *appUI) newForm(title, confirm, dismiss string, items []*widget.FormItem, callback func(bool)) *formDialog {
	f := &formDialog{form: widget.NewForm(items...), ownDialog: &ownDialog{callback: callback}}
	f.CustomDialog = dialog.NewCustomWithoutButtons(title, f.form, u.win)
	f.dismiss = u.newKeyButton(dismiss, func() { f.answer(false) })
	f.dismiss.Icon = theme.CancelIcon()
	f.confirm = u.newKeyButton(confirm, f.Submit)
	f.confirm.Icon = theme.ConfirmIcon()
	f.confirm.Importance = widget.HighImportance
	f.form.SetOnValidationChanged(func(err error) {
		if err != nil {
			f.confirm.Disable()
		} else {
			f.confirm.Enable()
		}
	})
	if f.form.Validate() != nil {
		f.confirm.Disable()
	}
	f.SetButtons([]fyne.CanvasObject{f.dismiss, f.confirm})
	return f
}

// Submit confirms, as the confirm button does, unless a field is not
// valid.
func (f *formDialog) Submit() {
	if f.confirm.Disabled() || f.form.Validate() != nil {
		return
	}
	f.answer(true)
}

// showForm shows f with Enter for confirm and Esc for dismiss, wide
// enough for a name to be typed unless its caller sized it.
func (u *appUI) showForm(f *formDialog) {
	f.Show()
	f.widen(u.dialogWidth(), nil)
	u.answerKeys(f.Submit, func() { f.answer(false) })
}
