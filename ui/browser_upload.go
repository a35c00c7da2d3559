package ui

import (
	"context"
	"errors"
	"path"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Uploading into the folder on screen, and showing what arrived.

func (b *browser) onUploadMenu() {
	m := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Files…"), func() {
			b.u.pick.openFiles(lang.L("Choose files to upload"), true, b.uploadPaths)
		}),
		fyne.NewMenuItem(lang.L("A folder…"), func() {
			b.u.pick.openFolder(lang.L("Choose a folder to upload"), func(p string) { b.uploadPaths([]string{p}) })
		}),
	)
	c := b.u.win.Canvas()
	widget.ShowPopUpMenuAtPosition(m, c, fyne.CurrentApp().Driver().AbsolutePositionForObject(b.uploadBtn).AddXY(0, b.uploadBtn.Size().Height))
}

// uploadPaths uploads files and folders into the folder on screen, encrypted
// for the key chosen in "Encrypt for".
func (b *browser) uploadPaths(paths []string) {
	if !b.hasLoc {
		b.u.showError(errNoFolder)
		return
	}
	keyFor := b.encryptForKey()
	if keyFor == "" {
		b.u.showError(errNoKeyChosen)
		return
	}
	b.upload(UploadRequest{Paths: paths, Dest: b.loc, KeyFor: keyFor, AlsoFor: b.alsoForKeys()})
}

// upload starts req; when names are already taken it asks first.
func (b *browser) upload(req UploadRequest) {
	goDo(b.u, func(ctx context.Context) ([]JobID, error) {
		return b.u.be.Transfers().Upload(ctx, req)
	}, func(ids []JobID, err error) {
		var exists *ExistsError
		if errors.As(err, &exists) {
			b.askExisting(req, exists)
			return
		}
		if err != nil {
			b.u.showError(err)
			return
		}
		if len(ids) == 0 {
			b.u.setStatus(lang.L("Nothing to upload: every file is already there."))
			return
		}
		args := map[string]any{"N": len(ids), "Key": b.lockedForText()}
		running := lang.L("Uploading {{.N}} files, locked for {{.Key}}…", args)
		if len(ids) == 1 {
			running = lang.L("Uploading 1 file, locked for {{.Key}}…", args)
		}
		b.u.transfers.track(ids, running, func(jobs []Job) string {
			if len(jobs) == 1 {
				return lang.L("Uploaded “{{.Name}}”, locked for {{.Key}}.", map[string]any{"Name": jobs[0].Name, "Key": args["Key"]})
			}
			return lang.L("Uploaded {{.N}} files, locked for {{.Key}}.", args)
		})
	})
}

// askExisting asks what to do with the files of an upload whose names are
// already taken: replace them, keep both (the new ones get a free name), or
// upload nothing.
func (b *browser) askExisting(req UploadRequest, e *ExistsError) {
	if len(e.Names) == 0 {
		b.u.showError(e) // nothing to name: say it rather than ask about nothing
		return
	}
	first := path.Base(e.Names[0])
	msg := lang.L("“{{.Name}}” already exists in this folder. Replacing it removes the file that is there now, for everyone who uses this storage.", map[string]any{"Name": first})
	if len(e.Names) > 1 {
		msg = lang.L("{{.N}} of the {{.Total}} files already exist here, such as “{{.Name}}”. Replacing them removes the files that are there now, for everyone who uses this storage.",
			map[string]any{"N": len(e.Names), "Total": e.Total, "Name": first})
	}
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons(lang.L("Replace files?"), text, b.u.win)
	choose := func(x Existing) func() {
		return func() {
			d.Hide()
			req.Existing = x
			b.upload(req)
		}
	}
	replace := widget.NewButton(lang.L("Replace"), choose(ReplaceExisting))
	replace.Importance = widget.DangerImportance
	keep := widget.NewButton(lang.L("Keep both"), choose(KeepBoth))
	keep.Importance = widget.HighImportance
	buttons := []fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), d.Hide), replace}
	if len(e.Names) < e.Total {
		// Some files are new here: they can go up alone.
		buttons = append(buttons, widget.NewButton(lang.L("Skip these"), choose(SkipExisting)))
	}
	d.SetButtons(append(buttons, keep))
	d.Resize(fyne.NewSize(480, 0))
	b.existsDialog = d
	d.Show()
}

// jobFinished refreshes the folder when an upload into it or into a folder
// below it completes (a dropped folder shows up as a new folder here), and
// remembers what a download found out about the object's integrity.
func (b *browser) jobFinished(j Job) {
	if j.Kind == Download && j.Seal != SealUnknown {
		b.checks.put(j.Remote.Account, j.Remote.Bucket, j.Key, j.ETag, j.Seal)
		b.refreshKey(j.Remote, j.Key)
	}
	if j.Kind == Upload && j.State == JobDone && b.hasLoc &&
		j.Remote.Account == b.loc.Account && j.Remote.Bucket == b.loc.Bucket &&
		strings.HasPrefix(j.Key, b.loc.Prefix) {
		b.locks.forget(b.loc, j.Key)
		b.refreshSoon()
	}
}

// refreshDelay gathers the refreshes of many uploads finishing together.
const refreshDelay = 300 * time.Millisecond

func (b *browser) refreshSoon() {
	if b.refreshPending {
		return
	}
	b.refreshPending = true
	b.u.tasks.Add(1)
	time.AfterFunc(refreshDelay, func() {
		defer b.u.tasks.Done()
		b.u.do(func() {
			b.refreshPending = false
			b.refresh()
		})
	})
}
