package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Keyboard: Fyne's dialogs answer no key, so a keyboard-only user could
// not confirm or dismiss one; and the file list had no shortcuts. The
// window's canvas gets every key no widget took (a focused entry keeps its
// own), and this file routes them; the file list, once Tab or a click
// has given it the keyboard, hands its keys to the same place.

// dialogKeys is what Enter and Esc do in one dialog.
type dialogKeys struct {
	enter, esc func()
}

// answerKeys makes Enter and Esc answer the dialog just shown (the top
// overlay): enter confirms it, esc dismisses it. Either may be nil.
func (u *appUI) answerKeys(enter, esc func()) {
	ov := u.win.Canvas().Overlays()
	top := ov.Top()
	if top == nil {
		return
	}
	if u.dialogKeys == nil {
		u.dialogKeys = map[fyne.CanvasObject]dialogKeys{}
	}
	// Forget dialogs that were closed.
	shown := map[fyne.CanvasObject]bool{}
	for _, o := range ov.List() {
		shown[o] = true
	}
	for o := range u.dialogKeys {
		if !shown[o] {
			delete(u.dialogKeys, o)
		}
	}
	u.dialogKeys[top] = dialogKeys{enter: enter, esc: esc}
}

// showConfirm shows d with Enter for its confirm button and Esc for its
// dismiss button.
func (u *appUI) showConfirm(d *confirmDialog) {
	d.Show()
	u.answerKeys(d.Confirm, d.Dismiss)
}

// confirmDanger asks before something that cannot be undone: title and
// message say what will be lost, the confirm button says what it does
// (action, such as "Delete") in red rather than the inviting blue of
// "Yes", beside Cancel. Enter confirms and Esc cancels, as in every
// dialog; do runs only on confirm. The dialog is returned for tests.
func (u *appUI) confirmDanger(title, message, action string, do func()) *confirmDialog {
	d := u.newConfirm(title, message, func(yes bool) {
		if yes {
			do()
		}
	})
	d.SetConfirmText(action)
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	u.showConfirm(d)
	return d
}

// showNotice shows d, a dialog with one button, which Enter and Esc both
// press.
func (u *appUI) showNotice(d dialog.Dialog) {
	d.Show()
	u.answerKeys(d.Dismiss, d.Dismiss)
}

// onTypedKey takes the keys no widget took.
func (u *appUI) onTypedKey(ev *fyne.KeyEvent) {
	if u.dialogKey(ev) {
		// A dialog is open: only it answers keys.
		return
	}
	if !u.browserTakesKeys() {
		return
	}
	u.browser.typedKey(ev, u.browser.mods())
}

// dialogKey answers Enter or Esc in the dialog on top, as answerKeys
// set it to, and says whether a dialog is open.
func (u *appUI) dialogKey(ev *fyne.KeyEvent) bool {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	k := u.dialogKeys[top]
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.enter != nil {
			k.enter()
		}
	case fyne.KeyEscape:
		if k.esc != nil {
			k.esc()
		}
	}
	return true
}

// A control with the keyboard takes every key, and Fyne's button and
// select drop Enter and Esc: once Tab had reached one in a dialog, Esc no
// longer closed it. keyButton and keySelect are the ones dialogs use.

// keyButton is a dialog's button: Enter presses it, as Space does, and
// Esc answers the dialog as it does anywhere in it.
type keyButton struct {
	widget.Button
	u *appUI
}

func (u *appUI) newKeyButton(label string, tapped func()) *keyButton {
	b := &keyButton{u: u}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *keyButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.Tapped(nil)
	case fyne.KeyEscape:
		b.u.dialogKey(ev)
	default:
		b.Button.TypedKey(ev)
	}
}

// shown is what the screen's description takes it for (screentext.go).
func (b *keyButton) shown() fyne.CanvasObject { return &b.Button }

// keySelect is a dialog's choice: Enter and Esc answer the dialog, as
// they do anywhere in it; the other keys are the select's.
type keySelect struct {
	widget.Select
	u *appUI
}

func (u *appUI) newKeySelect(options []string) *keySelect {
	s := &keySelect{u: u}
	s.Options = options
	s.ExtendBaseWidget(s)
	return s
}

func (s *keySelect) TypedKey(ev *fyne.KeyEvent) { s.u.dialogKeyOr(ev, s.Select.TypedKey) }

// dialogKeyOr gives Enter and Esc to the dialog on top and any other key
// to own, the focused control's own handling.
func (u *appUI) dialogKeyOr(ev *fyne.KeyEvent, own func(*fyne.KeyEvent)) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
		u.dialogKey(ev)
	default:
		own(ev)
	}
}

// shown is what the screen's description takes it for (screentext.go).
func (s *keySelect) shown() fyne.CanvasObject { return &s.Select }

// keyCheck is a dialog's tick box: Enter and Esc answer the dialog, as
// they do anywhere in it; Space ticks it.
type keyCheck struct {
	widget.Check
	u *appUI
}

func (u *appUI) newKeyCheck(label string, changed func(bool)) *keyCheck {
	c := &keyCheck{u: u}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *keyCheck) TypedKey(ev *fyne.KeyEvent) { c.u.dialogKeyOr(ev, c.Check.TypedKey) }

// shown is what the screen's description takes it for (screentext.go).
func (c *keyCheck) shown() fyne.CanvasObject { return &c.Check }

// browserTakesKeys says whether the file list's shortcuts apply: its
// screen is on show and no dialog is open.
func (u *appUI) browserTakesKeys() bool {
	return u.win.Canvas().Overlays().Top() == nil && u.win.Content() == u.main && u.tabs.SelectedIndex() == 0
}

// typedKey is the file list's keys, with the modifiers held: the arrow
// keys (and Home, End) move the selection, which Shift extends; Delete
// (and Backspace, as on a Mac) deletes what is selected, asking first; F2
// renames the selected file; F5 lists the folder again; Enter opens the selected folder, or downloads
// what is selected. Ctrl+A, a shortcut, is selectAll.
func (b *browser) typedKey(ev *fyne.KeyEvent, mods fyne.KeyModifier) {
	extend := mods&fyne.KeyModifierShift != 0
	move := func(delta int) {
		if b.sel.move(delta, len(b.view), extend) {
			b.selectionChanged()
		}
	}
	switch ev.Name {
	case fyne.KeyDown:
		move(1)
	case fyne.KeyUp:
		move(-1)
	case fyne.KeyHome:
		move(-len(b.view))
	case fyne.KeyEnd:
		move(len(b.view))
	case fyne.KeyDelete, fyne.KeyBackspace:
		if b.sel.count() > 0 {
			b.onDelete()
		}
	case fyne.KeyF2:
		if _, ok := b.selected(); ok {
			b.onRename()
		}
	case fyne.KeyF5:
		if b.hasLoc {
			b.refresh()
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if e, ok := b.selected(); ok && e.Folder {
			b.openFolder(e)
		} else if b.sel.count() > 0 {
			b.onDownload()
		}
	}
}

// keyEntry is a dialog's text field: Esc answers the dialog, as it does
// anywhere in it, and so does Enter in a single-line field with nothing of
// its own to do on Enter; a multi-line field takes Enter for a new line.
type keyEntry struct {
	widget.Entry
	u *appUI
}

// newKeyEntry is a single-line dialog field, newKeyMultiLine one of
// several lines, newKeyPassword one whose text is hidden, with the eye
// that shows it.
func (u *appUI) newKeyEntry() *keyEntry {
	e := &keyEntry{u: u}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func (u *appUI) newKeyMultiLine() *keyEntry {
	e := u.newKeyEntry()
	e.MultiLine = true
	return e
}

func (u *appUI) newKeyPassword() *keyEntry {
	e := u.newKeyEntry()
	e.Password = true
	e.ActionItem = newRevealer(e)
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyEscape,
		(ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && !e.MultiLine && e.OnSubmitted == nil:
		e.u.dialogKey(ev)
	default:
		e.Entry.TypedKey(ev)
	}
}

// shown is what the screen's description takes it for (screentext.go).
func (e *keyEntry) shown() fyne.CanvasObject { return &e.Entry }

// revealer is a password field's eye: a tap shows or hides what was
// typed. (Fyne's own is bound to Fyne's entry.)
type revealer struct {
	widget.Icon
	e *keyEntry
}

func newRevealer(e *keyEntry) *revealer {
	r := &revealer{e: e}
	r.Resource = theme.VisibilityOffIcon()
	r.ExtendBaseWidget(r)
	return r
}

func (r *revealer) Tapped(*fyne.PointEvent) {
	if r.e.Disabled() {
		return
	}
	r.e.Password = !r.e.Password
	if r.e.Password {
		r.SetResource(theme.VisibilityOffIcon())
	} else {
		r.SetResource(theme.VisibilityIcon())
	}
	r.e.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(r); c != nil {
		c.Focus(r.e)
	}
}
