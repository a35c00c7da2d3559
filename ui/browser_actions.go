package ui

import (
	"cmp"
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// What the toolbar and the context menu do to the selected files and
// folders: download, share, details, delete; and a new folder.

func (b *browser) onDownload() {
	if b.sel.count() > 1 {
		b.downloadMany(b.selectedEntries())
		return
	}
	e, ok := b.selected()
	if !ok {
		return
	}
	loc, dir := b.loc, b.u.prefs.downloadDir()
	if e.Folder {
		b.downloadFolder(loc, e, dir)
		return
	}
	goDo(b.u, func(ctx context.Context) (JobID, error) {
		return b.u.be.Transfers().Download(ctx, loc, e.Key, dir)
	}, func(id JobID, err error) {
		if err != nil {
			b.u.showError(err)
			return
		}
		b.u.transfers.track([]JobID{id}, lang.L("Downloading {{.Name}} to {{.Dir}}…", map[string]any{"Name": e.Name, "Dir": dir}), savedText)
	})
}

// downloadFolder saves every file of a folder into dir, under the folder's
// name, one transfer per file.
func (b *browser) downloadFolder(loc Location, e Entry, dir string) {
	type started struct {
		local string
		ids   []JobID
	}
	b.u.setStatus(lang.L("Looking for the files in {{.Name}}…", map[string]any{"Name": e.Name}))
	goDo(b.u, func(ctx context.Context) (started, error) {
		local, ids, err := b.u.be.Transfers().DownloadFolder(ctx, loc, e.Key, dir)
		return started{local, ids}, err
	}, func(s started, err error) {
		if err != nil {
			b.u.setStatus("")
			b.u.showError(err)
			return
		}
		args := map[string]any{"N": len(s.ids), "Name": e.Name, "Dir": s.local}
		running := lang.L("Downloading {{.N}} files from {{.Name}} to {{.Dir}}…", args)
		if len(s.ids) == 1 {
			running = lang.L("Downloading 1 file from {{.Name}} to {{.Dir}}…", args)
		}
		b.u.transfers.track(s.ids, running, func(jobs []Job) string {
			if len(jobs) == 1 {
				return lang.L("Saved 1 file from {{.Name}} in {{.Dir}}.", args)
			}
			return lang.L("Saved {{.N}} files from {{.Name}} in {{.Dir}}.", args)
		})
	})
}

// downloadMany saves several files and folders into the download folder,
// a folder under its own name, and says so on the status line as one
// batch. What was started goes on even if one of them cannot start.
func (b *browser) downloadMany(es []Entry) {
	loc, dir := b.loc, b.u.prefs.downloadDir()
	args := map[string]any{"N": len(es), "Dir": dir}
	b.u.setStatus(lang.L("Starting the download of {{.N}} items…", args))
	goDo(b.u, func(ctx context.Context) ([]JobID, error) {
		var ids []JobID
		var first error
		for _, e := range es {
			var more []JobID
			var err error
			if e.Folder {
				_, more, err = b.u.be.Transfers().DownloadFolder(ctx, loc, e.Key, dir)
			} else {
				var id JobID
				id, err = b.u.be.Transfers().Download(ctx, loc, e.Key, dir)
				more = []JobID{id}
			}
			if err != nil {
				first = cmp.Or(first, err)
				continue
			}
			ids = append(ids, more...)
		}
		return ids, first
	}, func(ids []JobID, err error) {
		if err != nil {
			b.u.setStatus("")
			b.u.showError(err)
		}
		if len(ids) == 0 {
			return
		}
		b.u.transfers.track(ids, lang.L("Downloading {{.N}} items to {{.Dir}}…", args), func([]Job) string {
			return lang.L("Saved {{.N}} items in {{.Dir}}.", args)
		})
	})
}

func (b *browser) onShare() {
	if e, ok := b.selected(); ok {
		b.u.sharing.showShare(b.loc, e)
	}
}

func (b *browser) onDetails() {
	e, ok := b.selected()
	if !ok {
		return
	}
	loc := b.loc
	goDo(b.u, func(ctx context.Context) (Lock, error) {
		return b.u.be.Storage().Lock(ctx, loc, e.Key)
	}, func(l Lock, err error) {
		if err != nil {
			b.u.showError(err)
			return
		}
		b.locks.put(loc, e.Key, l)
		l = b.checks.apply(loc, e.Key, l)
		// Names and folders wrap anywhere (a long name often has no
		// spaces), sentences between words, so nothing runs off the window.
		wrapped := func(s string, w fyne.TextWrap) *widget.Label {
			l := widget.NewLabel(s)
			l.Wrapping = w
			return l
		}
		form := widget.NewForm(
			widget.NewFormItem(lang.L("Name"), wrapped(e.Name, fyne.TextWrapBreak)),
			widget.NewFormItem(lang.L("Folder"), wrapped(loc.Bucket+"/"+loc.Prefix, fyne.TextWrapBreak)),
			widget.NewFormItem(lang.L("Size"), widget.NewLabel(humanBytes(e.Size))),
			widget.NewFormItem(lang.L("Modified"), widget.NewLabel(e.Modified.Local().Format(time.DateTime))),
			widget.NewFormItem(lang.L("Locked with"), wrapped(lockText(l), textWrap())),
			widget.NewFormItem(lang.L("Tamper check"), wrapped(sealExplained(l.Seal), textWrap())),
		)
		if l.Kind != LockNotEncrypted && l.Seal != SealBroken {
			form.Append(lang.L("Written by"), wrapped(writerExplained(l.Writer), textWrap()))
		}
		d := b.u.newCustom(lang.L("Details"), lang.L("Close"), form)
		b.details = d
		b.u.showNotice(d)
		d.Resize(detailsSize(b.u.win.Canvas().Size(), form))
	})
}

// detailsSize is the Details dialog's size in a window of size win: wide
// enough for its sentences, never wider than the window, and as tall as
// its wrapped lines then need.
func detailsSize(win fyne.Size, form *widget.Form) fyne.Size {
	w := min(float32(560), win.Width-4*theme.Padding())
	// The dialog's frame around its content: padding and the button row.
	frame := 6 * theme.Padding()
	form.Resize(fyne.NewSize(w-frame, form.MinSize().Height))
	h := form.MinSize().Height + frame + theme.TextSize()*2 + 4*theme.Padding()
	return fyne.NewSize(w, min(h, win.Height-4*theme.Padding()))
}

// sealExplained says in a sentence what the "Tamper check" mark means.
func sealExplained(s Seal) string {
	switch s {
	case SealPresent:
		return lang.L("Protected: if anyone changes it, the app notices when it is downloaded and does not save it.")
	case SealVerified:
		return lang.L("Intact: checked when it was downloaded, it has not changed since it was uploaded.")
	case SealBroken:
		return lang.L("Altered after it was uploaded: do not trust it.")
	case SealAbsent:
		return lang.L("Not protected: another app uploaded it without a tamper check, so a change would go unnoticed.")
	case SealNotChecked:
		return lang.L("Downloaded, but not protected: another app uploaded it without a tamper check, so it could not be checked.")
	}
	return lang.L("Not encrypted, so it has no tamper check.")
}

func (b *browser) onDelete() {
	if es := b.selectedEntries(); len(es) > 1 {
		b.onDeleteMany(es)
		return
	}
	e, ok := b.selected()
	if !ok {
		return
	}
	if e.Folder {
		b.onDeleteFolder(e)
		return
	}
	msg := lang.L("Delete “{{.Name}}”? It is removed from the storage for everyone, and cannot be brought back.", map[string]any{"Name": e.Name})
	if b.u.linksShared(b.loc, e.Key) {
		msg = lang.L("{{.Question}} The links you shared for it stop working.", map[string]any{"Question": msg})
	}
	b.u.confirmDanger(lang.L("Delete file"), msg, lang.L("Delete"), func() { b.deleteEntry(e) })
}

// deleteEntry deletes a file without asking (the confirmation is onDelete's).
func (b *browser) deleteEntry(e Entry) {
	loc := b.loc
	goDo(b.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, b.u.be.Storage().Delete(ctx, loc, e.Key)
	}, func(_ struct{}, err error) {
		// Copies of it left behind: the file itself is deleted.
		left := copiesLeft(err)
		if err != nil && left == nil {
			b.u.showError(err)
			return
		}
		b.locks.forget(loc, e.Key)
		b.u.setStatus(lang.L("Deleted {{.Name}}.", map[string]any{"Name": e.Name}))
		if loc == b.loc {
			b.refresh()
		}
		if left != nil {
			b.u.showCopiesLeft(left.Left, left.Err)
		}
	})
}

// onDeleteMany asks once before deleting several files and folders, with
// what is in the folders.
func (b *browser) onDeleteMany(es []Entry) {
	folders := 0
	keys := make([]string, len(es))
	for i, e := range es {
		if e.Folder {
			folders++
		}
		keys[i] = e.Key
	}
	args := map[string]any{"N": len(es), "Folders": folders}
	var msg string
	switch folders {
	case 0:
		msg = lang.L("Delete these {{.N}} files? They are removed from the storage for everyone, and cannot be brought back.", args)
	case 1:
		msg = lang.L("Delete these {{.N}} items, with everything in the folder among them? They are removed from the storage for everyone, and cannot be brought back.", args)
	default:
		msg = lang.L("Delete these {{.N}} items, with everything in the {{.Folders}} folders among them? They are removed from the storage for everyone, and cannot be brought back.", args)
	}
	if b.u.linksShared(b.loc, keys...) {
		msg = lang.L("{{.Question}} The links you shared for some of them stop working.", map[string]any{"Question": msg})
	}
	b.u.confirmDanger(lang.L("Delete {{.N}} items", args), msg, lang.L("Delete"), func() { b.deleteMany(es) })
}

// deleteMany deletes files and folders without asking (the confirmation
// is onDeleteMany's), one after another, saying how far it got; what
// cannot be deleted is named, and the rest still goes.
func (b *browser) deleteMany(es []Entry) {
	loc, u := b.loc, b.u
	type outcome struct {
		failed int
		why    error
		// left are shared copies that could not be deleted with their
		// files, and leftWhy why the first could not.
		left    []SharedCopy
		leftWhy error
	}
	u.setStatus(lang.L("Deleting {{.N}} items…", map[string]any{"N": len(es)}))
	goDo(u, func(ctx context.Context) (outcome, error) {
		var o outcome
		for i, e := range es {
			var err error
			var r FolderDeletion
			if e.Folder {
				r, err = deleteFolder(ctx, u.be.Storage(), loc, e.Key, nil)
			} else {
				err = u.be.Storage().Delete(ctx, loc, e.Key)
			}
			if l := copiesLeft(err); l != nil {
				o.left, o.leftWhy, err = append(o.left, l.Left...), cmp.Or(o.leftWhy, l.Err), nil
			}
			if err == nil && r.Failed > 0 {
				err = r.Why
			}
			if err != nil {
				o.failed++
				o.why = cmp.Or(o.why, err)
				continue
			}
			if !e.Folder {
				b.locks.forget(loc, e.Key)
			}
			done := i + 1
			u.do(func() {
				u.setStatus(lang.L("Deleting {{.N}} items… {{.Done}} of {{.N}}", map[string]any{"N": len(es), "Done": done}))
			})
		}
		return o, ctx.Err()
	}, func(o outcome, err error) {
		if loc == b.loc {
			b.refresh()
		}
		switch {
		case err != nil:
			u.setStatus("")
			u.showError(err)
		case o.failed > 0:
			u.setStatus("")
			u.showError(o.why)
			u.setStatus(lang.L("{{.Failed}} of the {{.N}} items could not be deleted; the others were deleted.", map[string]any{"Failed": o.failed, "N": len(es)}))
		default:
			u.setStatus(lang.L("Deleted {{.N}} items.", map[string]any{"N": len(es)}))
		}
		if len(o.left) > 0 {
			u.showCopiesLeft(o.left, o.leftWhy)
		}
	})
}

func (b *browser) onNewFolder() {
	name := b.u.newKeyEntry()
	name.SetPlaceHolder(lang.L("Folder name"))
	b.u.showForm(b.u.newForm(lang.L("New folder"), lang.L("Create"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Name"), name)},
		func(ok bool) {
			if ok {
				b.createFolder(name.Text)
			}
		}))
}

func (b *browser) createFolder(name string) {
	name = strings.TrimSpace(name)
	if name == "" || strings.Contains(name, "/") {
		b.u.showError(errBadFolderName)
		return
	}
	loc := b.loc
	goDo(b.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, b.u.be.Storage().NewFolder(ctx, loc, name)
	}, func(_ struct{}, err error) {
		if err != nil {
			b.u.showError(err)
			return
		}
		if loc == b.loc {
			b.refresh()
		}
	})
}
