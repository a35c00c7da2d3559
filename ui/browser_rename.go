package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Renaming a file or a folder (F2, or "Rename…" in its menu): a dialog
// with the name selected, Enter renames and Esc cancels, even while the
// name field has the keyboard. The service does the copies and the new
// signatures (app.Storage.Rename, RenameFolder); the list then shows the
// file or folder under its new name, still selected.

// renameDialog is the rename dialog on show, kept for tests.
type renameDialog struct {
	d    *formDialog
	name *keyEntry
	note *widget.Label
}

func (b *browser) onRename() {
	e, ok := b.selected()
	if !ok {
		return
	}
	loc := b.loc
	r := &renameDialog{name: b.u.newKeyEntry()}
	r.name.SetText(e.Name)
	items := []*widget.FormItem{widget.NewFormItem(lang.L("Name"), r.name)}
	note := ""
	switch l := b.lockOf(e.Key); {
	case e.Folder:
		note = lang.L("Every file in the folder is copied under the new name, then removed from the old one. Files signed by someone else will read as from you.")
	case l.Writer.Signed && !l.Writer.Me:
		note = resignNote(l.Writer)
	}
	if note != "" {
		r.note = widget.NewLabel(note)
		r.note.Wrapping = textWrap()
		items = append(items, widget.NewFormItem("", r.note))
	}
	r.d = b.u.newForm(lang.L("Rename"), lang.L("Rename"), lang.L("Cancel"), items, func(ok bool) {
		switch {
		case !ok:
		case e.Folder:
			b.renameFolder(loc, e, r.name.Text)
		default:
			b.rename(loc, e, r.name.Text)
		}
	})
	b.renaming = r
	r.d.Resize(fyne.NewSize(b.u.dialogWidth(), r.d.MinSize().Height))
	b.u.showForm(r.d)
	// The whole name is selected: typing replaces it.
	b.u.win.Canvas().Focus(r.name)
	r.name.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// resignNote says that a file someone else signed will read as mine once
// renamed: the copy under the new name is signed by whoever renames it.
func resignNote(w Writer) string {
	if w.Name != "" {
		return lang.L("Signed by {{.Name}}. It will read as from you.", map[string]any{"Name": w.Name})
	}
	return lang.L("Signed by someone else. It will read as from you.")
}

// rename renames e in loc to name, then lists the folder again with the
// file selected under its new name.
func (b *browser) rename(loc Location, e Entry, name string) {
	name = strings.TrimSpace(name)
	if name == e.Name {
		return
	}
	b.u.setStatus(lang.L("Renaming {{.Name}}…", map[string]any{"Name": e.Name}))
	goDo(b.u, func(ctx context.Context) (string, error) {
		return b.u.be.Storage().Rename(ctx, loc, e.Key, name)
	}, func(newKey string, err error) {
		if err != nil {
			b.u.setStatus("")
			b.u.showError(err)
			if newKey == "" {
				return
			}
		} else {
			b.u.setStatus(lang.L("Renamed {{.Name}} to {{.New}}.", map[string]any{"Name": e.Name, "New": name}))
		}
		b.locks.forget(loc, e.Key)
		if loc == b.loc {
			b.reselect = newKey
			b.refresh()
		}
	})
}

// renameFolder renames the folder e in loc to name, every file in it
// (app.Storage.RenameFolder), counting on the status line, then lists the
// folder again with the renamed one selected.
func (b *browser) renameFolder(loc Location, e Entry, name string) {
	name = strings.TrimSpace(name)
	if name == e.Name {
		return
	}
	u := b.u
	u.setStatus(lang.L("Renaming {{.Name}}…", map[string]any{"Name": e.Name}))
	goDo(u, func(ctx context.Context) (string, error) {
		return u.be.Storage().RenameFolder(ctx, loc, e.Key, name, func(done, total int) {
			u.do(func() {
				u.setStatus(lang.L("Renaming “{{.Name}}”… {{.Done}} of {{.Total}} files", map[string]any{"Name": e.Name, "Done": done, "Total": total}))
			})
		})
	}, func(newPrefix string, err error) {
		if err != nil {
			u.setStatus("")
			u.showError(err)
			if newPrefix == "" {
				return
			}
		} else {
			u.setStatus(lang.L("Renamed {{.Name}} to {{.New}}.", map[string]any{"Name": e.Name, "New": name}))
		}
		b.locks.forgetFolder(loc, e.Key)
		if loc == b.loc {
			b.reselect = newPrefix
			b.refresh()
		}
	})
}

// selectReselect selects the row b.reselect names once a page holding it
// is loaded, and forgets it once it is found or the listing is over.
func (b *browser) selectReselect() {
	if b.reselect == "" {
		return
	}
	for i, idx := range b.view {
		if b.all[idx].Key == b.reselect {
			b.reselect = ""
			b.sel.only(i)
			b.selectionChanged()
			return
		}
	}
	if !b.more {
		b.reselect = ""
	}
}
