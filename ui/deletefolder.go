package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// folderDelete is one "Delete" of a folder: counting what is in it, asking,
// then deleting. Its dialogs are kept for tests.
type folderDelete struct {
	b     *browser
	loc   Location
	e     Entry
	files int
	size  int64

	cancel   context.CancelFunc
	counting *dialog.CustomDialog
	confirm  *dialog.ConfirmDialog
	// question is what the confirmation asks, outcome what came of it
	// when it was not all deleted.
	question, outcome string
}

// onDeleteFolder counts the files in the folder off the UI goroutine, with
// a spinner and a Cancel (a folder of 100,000 files takes a while to list),
// then says how many will go, and their size, before anything is deleted.
func (b *browser) onDeleteFolder(e Entry) {
	ctx, cancel := context.WithCancel(b.u.ctx)
	fd := &folderDelete{b: b, loc: b.loc, e: e, cancel: cancel}
	b.folderDel = fd
	spin := widget.NewActivity()
	spin.Start()
	msg := widget.NewLabel(lang.L("Counting the files in “{{.Name}}”…", map[string]any{"Name": e.Name}))
	fd.counting = dialog.NewCustom(lang.L("Delete folder"), lang.L("Cancel"), container.NewHBox(spin, msg), b.u.win)
	fd.counting.SetOnClosed(cancel)
	fd.counting.Show()
	b.u.answerKeys(nil, fd.counting.Dismiss)
	goDo(b.u, func(context.Context) ([2]int64, error) {
		files, size, err := b.u.be.Storage().FolderSize(ctx, fd.loc, e.Key)
		return [2]int64{int64(files), size}, err
	}, func(n [2]int64, err error) {
		spin.Stop()
		if ctx.Err() != nil {
			return // the user pressed Cancel: nothing more to say
		}
		fd.counting.Hide()
		if err != nil {
			b.u.showError(err)
			return
		}
		fd.files, fd.size = int(n[0]), n[1]
		fd.ask()
	})
}

// ask shows the confirmation, in plain words, with what will be lost.
func (fd *folderDelete) ask() {
	name := fd.e.Name
	switch fd.files {
	case 0:
		fd.question = lang.L("The folder “{{.Name}}” has no files in it. Delete it?", map[string]any{"Name": name})
	case 1:
		fd.question = lang.L("Delete the folder “{{.Name}}” and the 1 file in it ({{.Size}})? It is removed from the storage for everyone, and cannot be brought back.",
			map[string]any{"Name": name, "Size": humanBytes(fd.size)})
	default:
		fd.question = lang.L("Delete the folder “{{.Name}}” and the {{.Count}} files in it ({{.Size}})? They are removed from the storage for everyone, and cannot be brought back.",
			map[string]any{"Name": name, "Count": fd.files, "Size": humanBytes(fd.size)})
	}
	fd.confirm = fd.b.u.confirmDanger(lang.L("Delete folder"), fd.question, lang.L("Delete"), fd.run)
}

// run deletes the folder, saying on the status line how far it got, and
// then what was deleted or, if some files were not, how many and why.
func (fd *folderDelete) run() {
	b, u := fd.b, fd.b.u
	name := fd.e.Name
	u.setStatus(lang.L("Deleting “{{.Name}}”…", map[string]any{"Name": name}))
	goDo(u, func(ctx context.Context) (FolderDeletion, error) {
		return deleteFolder(ctx, u.be.Storage(), fd.loc, fd.e.Key, func(deleted, total int) {
			u.do(func() {
				u.setStatus(lang.L("Deleting “{{.Name}}”… {{.Done}} of {{.Total}}", map[string]any{"Name": name, "Done": deleted, "Total": total}))
			})
		})
	}, func(r FolderDeletion, err error) {
		if fd.loc == b.loc {
			b.refresh()
		}
		switch {
		case r.Failed > 0:
			u.setStatus("")
			msg := lang.L("{{.Failed}} of the {{.Total}} files and folders in “{{.Name}}” could not be deleted: {{.Why}} The others were deleted.",
				map[string]any{"Failed": r.Failed, "Total": r.Deleted + r.Failed, "Name": name, "Why": u.explain(r.Why)})
			d := dialog.NewInformation(lang.L("Some files were not deleted"), msg, u.win)
			d.Resize(fyne.NewSize(480, 200))
			u.showNotice(d)
			fd.outcome = msg
		case err != nil:
			u.setStatus("")
			u.showError(err)
		default:
			u.setStatus(lang.L("Deleted the folder “{{.Name}}”.", map[string]any{"Name": name}))
		}
	})
}
