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

func (b *browser) createRow() fyne.CanvasObject { return newFileRow(b) }

func (b *browser) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*fileRow)
	r.id = id
	if id >= len(b.view) {
		return
	}
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
		if l.Seal == SealBroken {
			r.seal.Importance = widget.DangerImportance
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
	switch l.Seal {
	case SealPresent:
		return lang.L("protected")
	case SealVerified:
		return "✓ " + lang.L("intact")
	case SealBroken:
		return "⚠ " + lang.L("altered")
	case SealAbsent, SealNotChecked:
		return lang.L("not protected")
	}
	return ""
}

// onSelected marks a file or a folder as the one the actions work on; a
// folder opens with a double click (openRow), as on the desktop.
func (b *browser) onSelected(id widget.ListItemID) {
	if id >= len(b.view) {
		return
	}
	b.sel = id
	b.updateActions()
	b.updateInfo()
}

// openRow opens the row's folder; for a file it only selects it.
func (b *browser) openRow(id widget.ListItemID) {
	if id >= len(b.view) {
		return
	}
	e := b.all[b.view[id]]
	if !e.Folder {
		b.list.Select(id)
		return
	}
	b.openFolder(e)
}

func (b *browser) openFolder(e Entry) {
	b.open(Location{Account: b.loc.Account, Bucket: b.loc.Bucket, Prefix: e.Key})
}

// selected returns the file or folder selected, if any.
func (b *browser) selected() (Entry, bool) {
	if b.sel < 0 || b.sel >= len(b.view) {
		return Entry{}, false
	}
	return b.all[b.view[b.sel]], true
}

func (b *browser) updateActions() {
	e, ok := b.selected()
	if ok {
		b.getBtn.Enable()
	} else {
		b.getBtn.Disable()
	}
	// Sharing and details are for one file at a time; a folder can be
	// deleted too.
	if ok {
		b.deleteBtn.Enable()
	} else {
		b.deleteBtn.Disable()
	}
	for _, btn := range []*widget.Button{b.shareBtn, b.detailsBtn} {
		if ok && !e.Folder {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
	for _, btn := range []*widget.Button{b.uploadBtn, b.newDirBtn, b.refreshBtn} {
		if b.hasLoc {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
}

// contextMenu is the right-click menu for a row.
func (b *browser) contextMenu(id widget.ListItemID) *fyne.Menu {
	b.list.Select(id)
	e, ok := b.selected()
	if !ok {
		return nil
	}
	if e.Folder {
		return fyne.NewMenu("",
			fyne.NewMenuItem(lang.L("Open"), func() { b.openFolder(e) }),
			fyne.NewMenuItem(lang.L("Download"), b.onDownload),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
		)
	}
	return fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Download"), b.onDownload),
		fyne.NewMenuItem(lang.L("Share…"), b.onShare),
		fyne.NewMenuItem(lang.L("Details"), b.onDetails),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
	)
}
