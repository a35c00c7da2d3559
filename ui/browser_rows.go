package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The file list's rows: what each shows, which one is selected, and what
// can be done with it.

func (b *browser) length() int { return len(b.view) }

func (b *browser) createRow() fyne.CanvasObject {
	r := newFileRow(b)
	b.rows = append(b.rows, r) // the list makes only enough for the screen
	return r
}

func (b *browser) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*fileRow)
	r.id = id
	if id >= len(b.view) {
		return
	}
	r.mark(b.sel.has(id), b.list.focused && b.sel.cursor == id)
	e := b.all[b.view[id]]
	if e.Folder {
		r.icon.SetResource(theme.FolderIcon())
		r.size.SetText("")
		r.modified.SetText("")
		r.lock.SetText("")
		r.seal.Importance = widget.MediumImportance
		r.seal.SetText("")
	} else {
		r.icon.SetResource(theme.FileIcon())
		r.size.SetText(humanBytes(e.Size))
		r.modified.SetText(e.Modified.Local().Format("2006-01-02 15:04"))
		l := b.checks.apply(b.loc, e.Key, b.locks.get(b.u.ctx, b.loc, e.Key))
		r.lock.SetText(lockText(l))
		r.seal.Importance = widget.MediumImportance
		switch {
		case l.Seal == SealBroken:
			r.seal.Importance = widget.DangerImportance
		case l.Writer.Signed && (l.Writer.Name == "" || l.Writer.Moved):
			r.seal.Importance = widget.WarningImportance
		}
		r.seal.SetText(sealText(l))
	}
	r.name.SetText(e.Name)
	if id >= len(b.view)-prefetchRows && b.more && !b.loading {
		b.loadNextPage()
	}
}

// refreshKey redraws the row of one object after its lock arrived.
func (b *browser) refreshKey(loc Location, key string) {
	if loc != b.loc {
		return
	}
	for i, idx := range b.view {
		if b.all[idx].Key == key {
			b.list.RefreshItem(i)
			return
		}
	}
}

func (b *browser) lockText(e Entry) string {
	if e.Folder {
		return ""
	}
	// Sorting must not look up the whole folder: only what is known counts.
	return lockText(b.locks.peek(b.loc, e.Key))
}

// lockOf is what is known of an object in the folder on screen, without
// looking anything up, with the mark of a download that checked it.
func (b *browser) lockOf(key string) Lock {
	return b.checks.apply(b.loc, key, b.locks.peek(b.loc, key))
}

// lockText is the "Locked with" column in the user's words.
func lockText(l Lock) string {
	switch l.Kind {
	case LockMine, LockColleague, LockKMS:
		if l.KeyName == "" {
			return lang.L("one of my keys")
		}
		return l.KeyName
	case LockNotEncrypted:
		return lang.L("not encrypted")
	case LockKeyMissing:
		if l.KeyName != "" {
			return lang.L("{{.Name}}'s key, not on this computer", map[string]any{"Name": l.KeyName})
		}
		return lang.L("key not on this computer")
	}
	return "…"
}

// sealText is the "Tamper check" column, in four words that say what the
// user can rely on: "protected" (any change will be noticed on download),
// "intact" (a download checked it), "altered", and "not protected"
// (another app wrote it without the check). sealExplained says the same
// in a sentence.
func sealText(l Lock) string {
	var s string
	switch l.Seal {
	case SealPresent:
		s = lang.L("protected")
	case SealVerified:
		s = "✓ " + lang.L("intact")
	case SealBroken:
		return "⚠ " + lang.L("altered")
	case SealAbsent, SealNotChecked:
		return lang.L("not protected")
	default:
		return ""
	}
	if w := writerMark(l.Writer); w != "" {
		s += " · " + w
	}
	return s
}

// writerMark says in a few words who signed a file, before it is
// downloaded: "intact" alone would let a forged invoice locked for
// Accounting, or Alice's file copied over Bob's, pass for the real one.
func writerMark(w Writer) string {
	if !w.Signed {
		return ""
	}
	s := lang.L("from {{.Name}}", map[string]any{"Name": w.Name})
	switch {
	case w.Me:
		s = lang.L("from me")
	case w.Name == "":
		s = "⚠ " + lang.L("from someone not in your keys")
	}
	if w.Moved {
		s += " · ⚠ " + lang.L("uploaded under another name")
	}
	return s
}

// writerExplained says the same in a sentence, for Details.
func writerExplained(w Writer) string {
	if !w.Signed {
		return lang.L("Not signed: another app, or an older version of ossvault, uploaded it, so who wrote it is not known.")
	}
	when := w.UploadedAt.Local().Format("2006-01-02 15:04")
	s := lang.L("Signed by {{.Name}}, who uploaded it on {{.Date}}.", map[string]any{"Name": w.Name, "Date": when})
	if w.Me {
		s = lang.L("Signed by you, on this computer's key, when you uploaded it on {{.Date}}.", map[string]any{"Date": when})
	} else if w.Name == "" {
		s = lang.L("Signed by someone who is not in your keys (code {{.Code}}), on {{.Date}}. Do not trust it unless you know whose code that is.", map[string]any{"Code": w.Fingerprint, "Date": when})
	}
	if w.Moved {
		s += " " + lang.L("It was uploaded as {{.Where}}: this is a copy under another name, or an older version put back.", map[string]any{"Where": w.UploadedAs})
	}
	return s
}

// choose is a click on row id with the modifier keys held: it chooses the
// files and folders the actions work on (a folder opens with a double
// click, openRow, as on the desktop).
func (b *browser) choose(id widget.ListItemID, mods fyne.KeyModifier) {
	if id < 0 || id >= len(b.view) {
		return
	}
	b.sel.click(id, mods)
	b.selectionChanged()
}

// selectionChanged redraws what depends on the selection, and keeps the
// keyboard's row in view.
func (b *browser) selectionChanged() {
	if c := b.sel.cursor; c >= 0 && c < len(b.view) {
		b.list.ScrollTo(c)
	}
	b.list.Refresh()
	b.updateActions()
	b.updateInfo()
}

// selectAll chooses every file and folder loaded.
func (b *browser) selectAll() {
	b.sel.all(len(b.view))
	b.selectionChanged()
}

// openRow opens the row's folder; for a file it only selects it.
func (b *browser) openRow(id widget.ListItemID) {
	if id >= len(b.view) {
		return
	}
	e := b.all[b.view[id]]
	if !e.Folder {
		b.choose(id, 0)
		return
	}
	b.openFolder(e)
}

func (b *browser) openFolder(e Entry) {
	b.open(Location{Account: b.loc.Account, Bucket: b.loc.Bucket, Prefix: e.Key})
}

// selected returns the file or folder selected when it is the only one.
func (b *browser) selected() (Entry, bool) {
	rows := b.sel.list()
	if len(rows) != 1 || rows[0] >= len(b.view) {
		return Entry{}, false
	}
	return b.all[b.view[rows[0]]], true
}

// selectedEntries returns every file and folder selected, in the list's
// order.
func (b *browser) selectedEntries() []Entry {
	var out []Entry
	for _, i := range b.sel.list() {
		if i < len(b.view) {
			out = append(out, b.all[b.view[i]])
		}
	}
	return out
}

func (b *browser) updateActions() {
	e, ok := b.selected()
	// Download and Delete work on all that is selected, folders too;
	// sharing and details are for one file at a time.
	for _, btn := range []*widget.Button{b.getBtn, b.deleteBtn} {
		setEnabled(btn, b.sel.count() > 0)
	}
	for _, btn := range []*widget.Button{b.shareBtn, b.detailsBtn} {
		setEnabled(btn, ok && !e.Folder)
	}
	for _, btn := range []*widget.Button{b.uploadBtn, b.newDirBtn, b.refreshBtn} {
		setEnabled(btn, b.hasLoc)
	}
}

// contextMenu is the right-click menu for a row. A right click on one of
// several selected rows keeps them all, as in a file manager, and offers
// what can be done to all of them.
func (b *browser) contextMenu(id widget.ListItemID) *fyne.Menu {
	if !b.sel.has(id) {
		b.choose(id, 0)
	}
	if b.sel.count() > 1 {
		return fyne.NewMenu("",
			fyne.NewMenuItem(lang.L("Download"), b.onDownload),
			fyne.NewMenuItem(lang.L("Rename…"), b.onRename),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
		)
	}
	e, ok := b.selected()
	if !ok {
		return nil
	}
	if e.Folder {
		return fyne.NewMenu("",
			fyne.NewMenuItem(lang.L("Open"), func() { b.openFolder(e) }),
			fyne.NewMenuItem(lang.L("Download"), b.onDownload),
			fyne.NewMenuItem(lang.L("Rename…"), b.onRename),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
		)
	}
	return fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Download"), b.onDownload),
		fyne.NewMenuItem(lang.L("Share…"), b.onShare),
		fyne.NewMenuItem(lang.L("Details"), b.onDetails),
		fyne.NewMenuItem(lang.L("Rename…"), b.onRename),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
	)
}
