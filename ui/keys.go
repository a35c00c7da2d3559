package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keysScreen shows my keys, colleagues' keys and KMS keys, and what can be
// done with them.
type keysScreen struct {
	u       *appUI
	content fyne.CanvasObject

	list       *widget.List
	rows       []keyListRow
	sel        int
	createBtn  *widget.Button
	importBtn  *widget.Button
	addBtn     *widget.Button
	kmsBtn     *widget.Button
	backupBtn  *widget.Button
	restoreBtn *widget.Button
	copyBtn    *widget.Button
	saveBtn    *widget.Button
	defaultBtn *widget.Button
	removeBtn  *widget.Button
	compareBtn *widget.Button
	cardsBtn   *widget.Button
	busy       *widget.Activity
	message    *widget.Label
}

// keyListRow is a section heading (key == nil) or a key.
type keyListRow struct {
	heading string
	key     *Key
}

func newKeysScreen(u *appUI) *keysScreen {
	s := &keysScreen{u: u, sel: -1}
	s.list = widget.NewList(func() int { return len(s.rows) }, s.createRow, s.updateRow)
	s.list.OnSelected = s.onSelected
	s.list.OnUnselected = func(widget.ListItemID) { s.sel = -1; s.updateActions() }

	s.createBtn = widget.NewButtonWithIcon(lang.L("Create a new key"), theme.ContentAddIcon(), s.onCreate)
	s.importBtn = widget.NewButtonWithIcon(lang.L("Import a key"), theme.FileIcon(), s.onImportDialog)
	s.addBtn = widget.NewButtonWithIcon(lang.L("Add a colleague's key"), theme.AccountIcon(), s.onAddColleague)
	s.kmsBtn = widget.NewButtonWithIcon(lang.L("Add a company key"), theme.StorageIcon(), s.onAddKMS)
	s.backupBtn = widget.NewButtonWithIcon(lang.L("Back up my keys…"), theme.DocumentSaveIcon(), s.onBackupDialog)
	s.restoreBtn = widget.NewButtonWithIcon(lang.L("Restore from a backup…"), theme.HistoryIcon(), s.onRestoreDialog)

	s.copyBtn = widget.NewButtonWithIcon(lang.L("Copy my public key"), theme.ContentCopyIcon(), s.onCopyPublic)
	s.saveBtn = widget.NewButtonWithIcon(lang.L("Save my public key…"), theme.DocumentSaveIcon(), s.onSavePublicDialog)
	s.defaultBtn = widget.NewButtonWithIcon(lang.L("Use by default"), theme.ConfirmIcon(), s.onSetDefault)
	s.removeBtn = widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), s.onRemove)
	s.compareBtn = widget.NewButtonWithIcon(lang.L("Compare codes…"), theme.VisibilityIcon(), s.onCompare)
	s.cardsBtn = widget.NewButtonWithIcon(lang.L("Colleagues on this storage…"), theme.AccountIcon(), s.onCards)
	// A stopped spinner still draws a dot: show it only while working.
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.message = widget.NewLabel("")
	s.message.Wrapping = textWrap()

	add := container.NewGridWithColumns(3, s.createBtn, s.importBtn, s.addBtn, s.kmsBtn, s.backupBtn, s.restoreBtn, s.cardsBtn)
	sel := container.NewHBox(s.copyBtn, s.saveBtn, s.compareBtn, s.defaultBtn, s.removeBtn)
	intro := widget.NewLabel(lang.L("Send your public key to colleagues so they can lock files for you. Add theirs to lock files for them."))
	intro.Wrapping = textWrap()
	s.content = newWrapBorder(newWrapStack(intro, add),
		newWrapStack(sel, container.NewBorder(nil, nil, s.busy, nil, s.message)), s.list)
	s.updateActions()
	return s
}

// setKeys groups the keys under their headings.
func (s *keysScreen) setKeys(keys []Key) {
	selName := ""
	if k := s.selected(); k != nil {
		selName = k.Name
	}
	s.rows = s.rows[:0]
	for _, g := range []struct {
		kind    KeyKind
		heading string
	}{
		{KeyMine, lang.L("My keys")},
		{KeyColleague, lang.L("Colleagues' keys")},
		{KeyKMS, lang.L("Company keys")},
	} {
		s.rows = append(s.rows, keyListRow{heading: g.heading})
		for i := range keys {
			if keys[i].Kind == g.kind {
				k := keys[i]
				s.rows = append(s.rows, keyListRow{key: &k})
			}
		}
	}
	s.sel = -1
	s.list.UnselectAll()
	for i, r := range s.rows {
		if r.key != nil && r.key.Name == selName {
			s.list.Select(i)
		}
	}
	s.list.Refresh()
	s.updateActions()
}

func (s *keysScreen) createRow() fyne.CanvasObject {
	name := widget.NewLabel("")
	name.TextStyle.Bold = true
	fp := widget.NewLabel("")
	fp.TextStyle.Monospace = true
	fp.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(nil), name), nil, fp)
}

func (s *keysScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	left := box.Objects[1].(*fyne.Container)
	fp := box.Objects[0].(*widget.Label)
	icon, name := left.Objects[0].(*widget.Icon), left.Objects[1].(*widget.Label)
	// The name's width changes with its text: lay the row out again.
	defer box.Refresh()
	r := s.rows[id]
	if r.key == nil {
		icon.SetResource(nil)
		name.SetText(r.heading)
		fp.SetText("")
		return
	}
	k := r.key
	switch k.Kind {
	case KeyMine:
		icon.SetResource(theme.AccountIcon())
	case KeyColleague:
		icon.SetResource(theme.MailForwardIcon())
	default:
		icon.SetResource(theme.StorageIcon())
	}
	label := k.Name
	if k.Default {
		label += " · " + lang.L("default")
	}
	name.SetText(label)
	fp.SetText(k.Fingerprint + comparedNote(k))
}

// comparedNote says, on a colleague's row, whether its codes were
// compared with the colleague.
func comparedNote(k *Key) string {
	switch {
	case k.Kind != KeyColleague:
		return ""
	case k.Compared:
		return "  ✓ " + lang.L("codes compared")
	}
	return "  · " + lang.L("codes not compared yet")
}

func (s *keysScreen) onSelected(id widget.ListItemID) {
	if s.rows[id].key == nil {
		s.list.Unselect(id)
		return
	}
	s.sel = id
	s.updateActions()
}

func (s *keysScreen) selected() *Key {
	if s.sel < 0 || s.sel >= len(s.rows) {
		return nil
	}
	return s.rows[s.sel].key
}

// myKey is the key whose public half the export buttons hand out: the one
// selected if it is mine, else my default key, else my first, so a new user
// with one key can send it without first finding out that rows select.
func (s *keysScreen) myKey() *Key {
	if k := s.selected(); k != nil {
		if k.Kind == KeyMine {
			return k
		}
		return nil
	}
	var first *Key
	for _, r := range s.rows {
		if r.key == nil || r.key.Kind != KeyMine {
			continue
		}
		if r.key.Default {
			return r.key
		}
		if first == nil {
			first = r.key
		}
	}
	return first
}

func (s *keysScreen) updateActions() {
	k := s.selected()
	mine := s.myKey() != nil
	setEnabled(s.copyBtn, mine)
	setEnabled(s.saveBtn, mine)
	setEnabled(s.defaultBtn, k != nil && k.Kind != KeyColleague && !k.Default)
	setEnabled(s.removeBtn, k != nil)
	setEnabled(s.compareBtn, k != nil && (k.Kind == KeyColleague || k.Kind == KeyMine))
}

func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// run does one key operation in the background with the spinner on, then
// reloads the list.
func (s *keysScreen) run(busyMsg, doneMsg string, op func(ctx context.Context) error) {
	s.runThen(busyMsg, doneMsg, op, nil)
}

// runThen is run, with then called on the UI goroutine if op worked.
func (s *keysScreen) runThen(busyMsg, doneMsg string, op func(ctx context.Context) error, then func()) {
	s.busy.Show()
	s.busy.Start()
	s.message.SetText(busyMsg)
	goDo(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, op(ctx)
	}, func(_ struct{}, err error) {
		s.busy.Stop()
		s.busy.Hide()
		if err != nil {
			s.message.SetText(s.u.explain(err))
			return
		}
		s.message.SetText(doneMsg)
		if then != nil {
			then()
		}
		s.u.reloadKeys()
	})
}

func (s *keysScreen) onCreate() {
	askName(s.u, lang.L("Create a new key"), lang.L("My key"), func(name string) { s.createKey(name) })
}

func (s *keysScreen) createKey(name string) {
	s.runThen(lang.L("Creating your key… this takes a few seconds."), lang.L("Your new key is ready. Save a backup of your keys."), func(ctx context.Context) error {
		_, err := s.u.be.Keys().Generate(ctx, name, defaultKeyBits)
		return err
	}, func() { s.u.setBackedUp(false) })
}

func (s *keysScreen) onImportDialog() {
	openFile(s.u, func(name string, data []byte) { s.importKey(keyNameFromFile(name), data) })
}

func (s *keysScreen) importKey(name string, pem []byte) {
	s.runThen(lang.L("Importing your key…"), lang.L("The key was imported."), func(ctx context.Context) error {
		_, err := s.u.be.Keys().ImportPrivate(ctx, name, pem)
		return err
	}, func() { s.u.setBackedUp(false) })
}

// onAddColleague takes a colleague's public key from a file or pasted text.
func (s *keysScreen) onAddColleague() {
	name := s.u.newKeyEntry()
	name.SetPlaceHolder(lang.L("Colleague's name"))
	text := s.u.newKeyMultiLine()
	text.SetPlaceHolder(lang.L("Paste the key your colleague sent you, or choose the file below."))
	text.SetMinRowsVisible(6)
	fromFile := s.u.newKeyButton(lang.L("From a file…"), func() {
		openFile(s.u, func(fname string, data []byte) {
			text.SetText(string(data))
			if name.Text == "" {
				name.SetText(keyNameFromFile(fname))
			}
		})
	})
	fromFile.Icon = theme.FileIcon()
	// Add stays off until both are filled in: a mistake found after the
	// dialog closed threw away the key the user had pasted.
	name.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(s.u.explain(errEmptyName))
		}
		return nil
	}
	text.Validator = func(v string) error {
		if !strings.Contains(v, "-----BEGIN") {
			return errors.New(s.u.explain(errNotAKey))
		}
		return nil
	}
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Name"), name),
		// The key box is the item's own widget, so the form sees its check.
		widget.NewFormItem(lang.L("Public key"), text),
		widget.NewFormItem("", fromFile),
	}
	d := s.u.newForm(lang.L("Add a colleague's key"), lang.L("Add"), lang.L("Cancel"), items, func(ok bool) {
		if ok {
			s.addColleague(name.Text, []byte(text.Text))
		}
	})
	d.Resize(fyne.NewSize(560, 420))
	s.u.showForm(d)
}

func (s *keysScreen) addColleague(name string, pem []byte) {
	name = strings.TrimSpace(name)
	if name == "" {
		s.message.SetText(s.u.explain(errEmptyName))
		return
	}
	s.run(lang.L("Adding the key…"), lang.L("{{.Name}}'s key was added. You can now lock files for them.", map[string]any{"Name": name}),
		func(ctx context.Context) error {
			_, err := s.u.be.Keys().AddPublic(ctx, name, pem)
			return err
		})
}

func (s *keysScreen) onAddKMS() {
	showKMSDialog(s.u, func(k KMSKey) {
		s.run(lang.L("Checking the company key…"), lang.L("The company key was added."), func(ctx context.Context) error {
			_, err := s.u.be.Keys().AddKMS(ctx, k)
			return err
		})
	})
}

// publicKey fetches the public half of myKey.
func (s *keysScreen) publicKey(then func(name string, pem []byte)) {
	k := s.myKey()
	if k == nil {
		return
	}
	name := k.Name
	goDo(s.u, func(ctx context.Context) ([]byte, error) {
		return s.u.be.Keys().ExportPublic(ctx, name)
	}, func(pem []byte, err error) {
		if err != nil {
			s.message.SetText(s.u.explain(err))
			return
		}
		then(name, pem)
	})
}

func (s *keysScreen) onCopyPublic() {
	s.publicKey(func(_ string, pem []byte) {
		s.u.app.Clipboard().SetContent(string(pem))
		s.message.SetText(lang.L("Your public key is copied. Paste it into an email or a chat to a colleague."))
	})
}

func (s *keysScreen) onSavePublicDialog() {
	s.publicKey(func(name string, pem []byte) {
		s.u.pick.saveFile(lang.L("Save my public key"), name+".pub.pem", func(w fyne.URIWriteCloser) { s.savePublic(w, pem) })
	})
}

func (s *keysScreen) savePublic(w io.WriteCloser, pem []byte) {
	_, err := w.Write(pem)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.message.SetText(s.u.explain(err))
		return
	}
	s.message.SetText(lang.L("Your public key is saved. Send that file to your colleague."))
}

func (s *keysScreen) onSetDefault() {
	k := s.selected()
	if k == nil {
		return
	}
	name := k.Name
	s.run("", lang.L("New files are now locked with {{.Name}} unless you choose otherwise.", map[string]any{"Name": name}),
		func(ctx context.Context) error { return s.u.be.Keys().SetDefault(ctx, name) })
}

func (s *keysScreen) onRemove() {
	k := s.selected()
	if k == nil {
		return
	}
	name := k.Name
	msg := lang.L("Remove the key “{{.Name}}” from this computer?", map[string]any{"Name": name})
	if k.Kind == KeyMine {
		if s.u.prefs.KeysBackedUp {
			msg += "\n\n" + lang.L("Files locked with it can no longer be opened here unless you restore a backup.")
		} else {
			msg += "\n\n" + lang.L("You have not saved a backup of your keys: files locked with it can never be opened again.")
		}
	}
	s.u.confirmDanger(lang.L("Remove key"), msg, lang.L("Remove"), func() { s.removeKey(name) })
}

func (s *keysScreen) removeKey(name string) {
	s.run("", lang.L("The key was removed."), func(ctx context.Context) error { return s.u.be.Keys().Remove(ctx, name) })
}

// showKMSDialog collects a KMS key's details. The key is reached with a
// cloud account's AccessKey: with several accounts the dialog asks which,
// offering the first; with one there is nothing to ask; with none the
// backend says to connect first.
func showKMSDialog(u *appUI, then func(KMSKey)) {
	// Listing accounts reads the local registry only, so the dialog can
	// wait for it and still open at the tap.
	var cloud []string
	if accts, err := u.be.Accounts().List(u.ctx); err == nil {
		for _, a := range accts {
			if !a.Local {
				cloud = append(cloud, a.Name)
			}
		}
	}
	name, id, ep := u.newKeyEntry(), u.newKeyEntry(), u.newKeyEntry()
	name.SetText(lang.L("Company key"))
	id.SetPlaceHolder(lang.L("KMS key ID, from your administrator"))
	ep.SetPlaceHolder(lang.L("Only if your administrator gave you an address"))
	region := u.newKeySelect(regionLabels())
	region.SetSelectedIndex(0)
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Name"), name)}
	var account *keySelect
	if len(cloud) > 1 {
		// "Storage" is what the app calls an account everywhere else (the
		// sidebar lists them under it), so the names offered are familiar.
		account = u.newKeySelect(cloud)
		account.SetSelectedIndex(0)
		items = append(items, widget.NewFormItem(lang.L("Storage"), account))
	}
	items = append(items,
		widget.NewFormItem(lang.L("KMS key ID"), id),
		widget.NewFormItem(lang.L("Region"), region),
		widget.NewFormItem(lang.L("Address"), ep),
	)
	// The one place that names KMS: whoever was handed a KMS key ID must
	// recognise where it goes.
	d := u.newForm(lang.L("Add a company key (Alibaba Cloud KMS)"), lang.L("Add"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		k := KMSKey{
			Name:     strings.TrimSpace(name.Text),
			KeyID:    strings.TrimSpace(id.Text),
			Region:   ossRegions[max(region.SelectedIndex(), 0)].ID,
			Endpoint: strings.TrimSpace(ep.Text),
		}
		switch {
		case account != nil:
			k.Account = cloud[max(account.SelectedIndex(), 0)]
		case len(cloud) == 1:
			k.Account = cloud[0]
		}
		then(k)
	})
	height := float32(320)
	if account != nil {
		height = 370
	}
	d.Resize(fyne.NewSize(520, height))
	u.showForm(d)
}

// askName asks for a name in a small dialog.
func askName(u *appUI, title, initial string, then func(string)) {
	e := u.newKeyEntry()
	e.SetText(initial)
	u.showForm(u.newForm(title, lang.L("OK"), lang.L("Cancel"), []*widget.FormItem{widget.NewFormItem(lang.L("Name"), e)}, func(ok bool) {
		if !ok {
			return
		}
		if n := strings.TrimSpace(e.Text); n != "" {
			then(n)
		} else {
			u.showError(errEmptyName)
		}
	}))
}

// openFile lets the user pick a small file (a key or a backup) and reads it.
func openFile(u *appUI, then func(name string, data []byte)) {
	u.pick.openFiles(lang.L("Choose a file"), false, func(paths []string) {
		data, err := readSmallFile(paths[0])
		if err != nil {
			u.showError(err)
			return
		}
		then(filepath.Base(paths[0]), data)
	})
}

func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSmall(f)
}

// keyNameFromFile turns "alice.pub.pem" into "alice".
func keyNameFromFile(name string) string {
	for _, ext := range []string{".pem", ".pub", ".key", ".txt"} {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}
