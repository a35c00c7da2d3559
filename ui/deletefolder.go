package ui

import (
	"context"
	"errors"
	"path"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
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
	confirm  *confirmDialog
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
	fd.counting = b.u.newCustom(lang.L("Delete folder"), lang.L("Cancel"), container.NewHBox(spin, msg))
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
	if fd.b.u.linksShared(fd.loc, fd.e.Key) {
		fd.question = lang.L("{{.Question}} The links you shared for files in it stop working.", map[string]any{"Question": fd.question})
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
		// Copies of its files left behind are said after what was deleted.
		left := copiesLeft(err)
		if left != nil {
			err = nil
			defer u.showCopiesLeft(left.Left, left.Err)
		}
		switch {
		case r.Failed > 0:
			u.setStatus("")
			msg := lang.L("{{.Failed}} of the {{.Total}} files and folders in “{{.Name}}” could not be deleted: {{.Why}} The others were deleted.",
				map[string]any{"Failed": r.Failed, "Total": r.Deleted + r.Failed, "Name": name, "Why": u.explain(r.Why)})
			d := u.newInfo(lang.L("Some files were not deleted"), msg)
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

// linksShared says whether a link shared for the file key, or for a file
// under the folder key, in loc still works: deleting it deletes the copy
// the link opens. It reads the list of shared copies on this computer
// only, so the question is not kept waiting; a list that cannot be read
// leaves the sentence out.
func (u *appUI) linksShared(loc Location, keys ...string) bool {
	now := time.Now()
	for _, k := range keys {
		cs, _ := u.be.Sharing().CopiesOf(loc, k)
		for _, c := range cs {
			if c.Expires.After(now) {
				return true
			}
		}
	}
	return false
}

// copiesLeft is the shared copies a delete left behind, or nil when err
// says nothing of them.
func copiesLeft(err error) *CopiesLeftError {
	var l *CopiesLeftError
	if errors.As(err, &l) {
		return l
	}
	return nil
}

// showCopiesLeft says that shared copies of what was deleted are still in
// the storage, why, and how long their links still open them, and offers
// to try again.
func (u *appUI) showCopiesLeft(left []SharedCopy, why error) {
	until := left[0].Expires
	for _, c := range left {
		if c.Expires.After(until) {
			until = c.Expires
		}
	}
	args := map[string]any{"N": len(left), "Name": path.Base(left[0].Of), "Who": left[0].For,
		"Until": until.Local().Format("2006-01-02 15:04")}
	msg := lang.L("“{{.Name}}” was deleted, but the copy shared with {{.Who}} could not be: its link still works until {{.Until}}. Try again now, or the app offers to remove it once its link has expired.", args)
	if len(left) > 1 {
		msg = lang.L("The files were deleted, but {{.N}} copies made to share them could not be: their links still work, the last until {{.Until}}. Try again now, or the app offers to remove them once their links have expired.", args)
	}
	if app.CauseOf(why) != app.Unknown {
		// A reason in words (no access, no network) says whether trying
		// again can help; "something went wrong" would read as if the
		// delete itself had not been done.
		msg += "\n\n" + u.explain(why)
	}
	d := u.newConfirm(lang.L("Shared links still work"), msg, func(again bool) {
		if !again {
			return
		}
		goDo(u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, u.be.Sharing().RemoveCopies(ctx, left)
		}, func(_ struct{}, err error) {
			if err != nil {
				u.showCopiesLeft(left, err)
				return
			}
			u.setStatus(lang.L("The shared copies are removed, and their links no longer work."))
		})
	})
	d.SetConfirmText(lang.L("Try again"))
	d.SetDismissText(lang.L("Later"))
	d.Resize(fyne.NewSize(480, 220))
	u.showConfirm(d)
}
