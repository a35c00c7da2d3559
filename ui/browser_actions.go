package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// What the toolbar and the context menu do to the selected file or folder:
// download, share, details, delete; and a new folder.

func (b *browser) onDownload() {
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
		form := widget.NewForm(
			widget.NewFormItem(lang.L("Name"), widget.NewLabel(e.Name)),
			widget.NewFormItem(lang.L("Folder"), widget.NewLabel(loc.Bucket+"/"+loc.Prefix)),
			widget.NewFormItem(lang.L("Size"), widget.NewLabel(humanBytes(e.Size))),
			widget.NewFormItem(lang.L("Modified"), widget.NewLabel(e.Modified.Local().Format(time.DateTime))),
			widget.NewFormItem(lang.L("Locked with"), widget.NewLabel(lockText(l))),
			widget.NewFormItem(lang.L("Tamper check"), widget.NewLabel(sealExplained(l.Seal))),
		)
		b.u.showNotice(dialog.NewCustom(lang.L("Details"), lang.L("Close"), form, b.u.win))
	})
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
	e, ok := b.selected()
	if !ok {
		return
	}
	if e.Folder {
		b.onDeleteFolder(e)
		return
	}
	msg := lang.L("Delete “{{.Name}}”? It is removed from the storage for everyone, and cannot be brought back.", map[string]any{"Name": e.Name})
	b.u.confirmDanger(lang.L("Delete file"), msg, lang.L("Delete"), func() { b.deleteEntry(e) })
}

// deleteEntry deletes a file without asking (the confirmation is onDelete's).
func (b *browser) deleteEntry(e Entry) {
	loc := b.loc
	goDo(b.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, b.u.be.Storage().Delete(ctx, loc, e.Key)
	}, func(_ struct{}, err error) {
		if err != nil {
			b.u.showError(err)
			return
		}
		b.locks.forget(loc, e.Key)
		b.u.setStatus(lang.L("Deleted {{.Name}}.", map[string]any{"Name": e.Name}))
		if loc == b.loc {
			b.refresh()
		}
	})
}

func (b *browser) onNewFolder() {
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Folder name"))
	dialog.ShowForm(lang.L("New folder"), lang.L("Create"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Name"), name)},
		func(ok bool) {
			if ok {
				b.createFolder(name.Text)
			}
		}, b.u.win)
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
