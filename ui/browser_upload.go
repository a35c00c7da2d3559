package ui

import (
	"context"
	"errors"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	if keyFor == "" && !slices.ContainsFunc(b.u.keys, func(k Key) bool { return k.Kind != KeyColleague }) {
		// My key was removed, colleagues' are left: say so, rather than
		// send the user to pick one of theirs.
		why := widget.NewLabel(lang.L("There is no key of yours on this computer, so you could not open what you upload. Restore your key from its backup on Keys."))
		what := widget.NewLabel(b.u.explain(errNoKeyChosen))
		why.Wrapping, what.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
		d := dialog.NewCustom(lang.L("Nothing was uploaded"), lang.L("OK"), container.NewVBox(why, what), b.u.win)
		d.Resize(fyne.NewSize(480, 0))
		b.u.showNotice(d)
		return
	}
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
				one := map[string]any{"Name": jobs[0].Name, "As": path.Base(jobs[0].Key), "Key": args["Key"]}
				if one["As"] != jobs[0].Name {
					// Kept beside a file of the same name: say which is the new one.
					return lang.L("Uploaded “{{.Name}}” as “{{.As}}”, locked for {{.Key}}.", one)
				}
				return lang.L("Uploaded “{{.Name}}”, locked for {{.Key}}.", one)
			}
			return lang.L("Uploaded {{.N}} files, locked for {{.Key}}.", args)
		})
	})
}

// askExisting asks what to do with the files of an upload whose names are
// already taken: replace them, keep both (the new ones get a free name), or
// skip them. Several dropped files that clash are asked about one by one,
// with a box to give the same answer for the rest; clashes inside a dropped
// folder get one answer for them all.
func (b *browser) askExisting(req UploadRequest, e *ExistsError) {
	if len(e.Names) == 0 {
		b.u.showError(e) // nothing to name: say it rather than ask about nothing
		return
	}
	if paths := clashingPaths(req, e.Names); len(e.Names) > 1 && paths != nil {
		b.askEach(req, e.Names, paths, map[string]Existing{})
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
	b.showExists(d, choose(KeepBoth))
}

// showExists shows a name-clash question: Enter keeps both, which loses
// nothing; Esc cancels.
func (b *browser) showExists(d *dialog.CustomDialog, keep func()) {
	d.Resize(fyne.NewSize(480, 0))
	b.existsDialog = d
	d.Show()
	b.u.answerKeys(keep, d.Hide)
}

// clashingPaths maps each clashing key to the dropped file that would
// take it, or is nil when some clash comes from inside a dropped folder
// (or two files would take one name): only a file dropped on its own can
// be answered for on its own.
func clashingPaths(req UploadRequest, names []string) map[string]string {
	byKey := map[string]string{}
	for _, p := range req.Paths {
		k := req.Dest.Prefix + filepath.Base(p)
		if _, twice := byKey[k]; twice {
			return nil
		}
		byKey[k] = p
	}
	out := map[string]string{}
	for _, n := range names {
		p, ok := byKey[n]
		if !ok {
			return nil
		}
		out[n] = p
	}
	return out
}

// askEach asks about names[len(answers)], the next clashing file; its
// answer, or the same for all the rest when the box is ticked, goes into
// answers, and the last answer starts the upload.
func (b *browser) askEach(req UploadRequest, names []string, paths map[string]string, answers map[string]Existing) {
	name := names[len(answers)]
	left := len(names) - len(answers) - 1
	text := widget.NewLabel(lang.L("“{{.Name}}” already exists in this folder. Replacing it removes the file that is there now, for everyone who uses this storage.", map[string]any{"Name": path.Base(name)}))
	text.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(text)
	forAll := widget.NewCheck(lang.L("Do the same for the other {{.N}} files that already exist", map[string]any{"N": left}), nil)
	if left == 1 {
		forAll.Text = lang.L("Do the same for the other file that already exists")
	}
	if left > 0 {
		body.Add(forAll)
	}
	title := lang.L("Replace files? ({{.I}} of {{.N}})", map[string]any{"I": len(answers) + 1, "N": len(names)})
	d := dialog.NewCustomWithoutButtons(title, body, b.u.win)
	choose := func(x Existing) func() {
		return func() {
			d.Hide()
			answers[name] = x
			for _, n := range names[len(answers):] {
				if forAll.Checked {
					answers[n] = x
				}
			}
			if len(answers) < len(names) {
				b.askEach(req, names, paths, answers)
				return
			}
			b.uploadAnswered(req, paths, answers)
		}
	}
	replace := widget.NewButton(lang.L("Replace"), choose(ReplaceExisting))
	replace.Importance = widget.DangerImportance
	keep := widget.NewButton(lang.L("Keep both"), choose(KeepBoth))
	keep.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), d.Hide), replace,
		widget.NewButton(lang.L("Skip"), choose(SkipExisting)), keep})
	b.showExists(d, choose(KeepBoth))
}

// uploadAnswered uploads the files of req as answered, one request per
// answer: skipped files stay here, and the files that clashed with nothing
// go up as asked for, so that a name taken meanwhile is asked about again.
func (b *browser) uploadAnswered(req UploadRequest, paths map[string]string, answers map[string]Existing) {
	byPath := map[string]Existing{}
	for n, x := range answers {
		byPath[paths[n]] = x
	}
	groups := map[Existing][]string{}
	for _, p := range req.Paths {
		x, ok := byPath[p]
		if !ok {
			x = AskExisting
		}
		groups[x] = append(groups[x], p)
	}
	if len(groups) == 1 {
		for x := range groups {
			req.Existing = x
			b.upload(req) // one answer for all: the app says if nothing is left
		}
		return
	}
	for _, x := range []Existing{AskExisting, ReplaceExisting, KeepBoth} {
		if len(groups[x]) > 0 {
			sub := req
			sub.Paths, sub.Existing = groups[x], x
			b.upload(sub)
		}
	}
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
