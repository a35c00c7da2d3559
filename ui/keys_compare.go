package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Comparing codes: a colleague's public key arrives as a file or a paste,
// and whoever could swap it on the way (a forwarded mail, a shared folder)
// could make files "for Alice" open for them instead, and sign files as
// Alice. Reading the codes to each other over the phone or in person
// closes that gap: both sides see the same codes only if the key is the
// one its owner holds.

// codesView is the two codes of a key, one per line, in a font whose
// characters cannot be confused.
func codesView(k *Key) fyne.CanvasObject {
	code := func(label, v string) fyne.CanvasObject {
		val := widget.NewLabel(v)
		val.TextStyle.Monospace = true
		val.Selectable = true
		return container.NewBorder(nil, nil, widget.NewLabel(label), nil, val)
	}
	box := container.NewVBox(code(lang.L("Key code:"), k.Fingerprint))
	if k.SigningCode != "" {
		box.Add(code(lang.L("Signing code:"), k.SigningCode))
	}
	return box
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = textWrap()
	return l
}

// onCompare shows my codes, to read out to a colleague, or asks whether a
// colleague's codes match the ones they read out.
func (s *keysScreen) onCompare() {
	k := s.selected()
	switch {
	case k == nil:
		return
	case k.Kind == KeyColleague:
		s.compareColleague(*k)
	case k.Kind == KeyMine:
		s.showMyCodes(*k)
	}
}

func (s *keysScreen) showMyCodes(k Key) {
	intro := lang.L("When colleagues add your key, they should check it with you by phone or in person. Read them these codes:")
	body := container.NewVBox(wrapped(intro), codesView(&k))
	if k.SigningCode == "" {
		body.Add(wrapped(lang.L("Your signing code is made when you first upload a file or send your key.")))
	}
	d := s.u.newCustom(lang.L("My codes"), lang.L("Close"), body)
	d.Resize(fyne.NewSize(520, 0))
	s.u.showNotice(d)
}

// compareColleague asks whether name's codes match. Enter does nothing
// here: "They match" must be a decision, not a reflex.
func (s *keysScreen) compareColleague(k Key) {
	args := map[string]any{"Name": k.Name}
	intro := lang.L("Call {{.Name}} or meet in person; not by email or chat, since whoever could swap a key file could swap a message too. Ask {{.Name}} to open ossvault, select their key under Keys and choose “Compare codes…”. Their codes must match these, character for character:", args)
	body := container.NewVBox(wrapped(intro), codesView(&k))
	if k.SigningCode == "" {
		body.Add(wrapped(lang.L("This key came without a signing code: files from {{.Name}} will read “not signed”. Ask {{.Name}} for their key again from a current ossvault.", args)))
	}
	d := dialog.NewCustomWithoutButtons(lang.L("Compare codes with {{.Name}}", args), body, s.u.win)
	match := s.u.newKeyButton(lang.L("They match"), func() {
		d.Hide()
		name := k.Name
		s.run("", lang.L("{{.Name}}'s key is marked as compared.", args),
			func(ctx context.Context) error { return s.u.be.Keys().MarkCompared(ctx, name) })
	})
	match.Importance = widget.HighImportance
	differ := s.u.newKeyButton(lang.L("They differ"), func() {
		d.Hide()
		s.keysDiffer(k)
	})
	differ.Importance = widget.DangerImportance
	d.SetButtons([]fyne.CanvasObject{s.u.newKeyButton(lang.L("Cancel"), d.Hide), differ, match})
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	s.u.answerKeys(nil, d.Hide)
}

// keysDiffer says what a mismatch means and offers to remove the key.
func (s *keysScreen) keysDiffer(k Key) {
	args := map[string]any{"Name": k.Name}
	msg := lang.L("This is not the key {{.Name}} holds: someone may have swapped it on its way to you. Do not lock files with it. Remove it, and ask {{.Name}} to give you their key again, in person or from a place you trust.", args)
	d := s.u.newConfirm(lang.L("The codes differ"), msg, func(yes bool) {
		if yes {
			s.removeKey(k.Name)
		}
	})
	d.SetConfirmText(lang.L("Remove this key"))
	d.SetDismissText(lang.L("Keep it for now"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
	s.u.answerKeys(nil, d.Dismiss)
}
