package ui

import (
	"context"
	"errors"
	"maps"
	"path"
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
		why.Wrapping, what.Wrapping = textWrap(), textWrap()
		d := b.u.newCustom(lang.L("Nothing was uploaded"), lang.L("OK"), container.NewVBox(why, what))
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
// skip them. One clash is one question; several, from dropped files or from
// inside a dropped folder, are asked about one by one, with a box to give
// the same answer for the rest. The answers go by name into req.PerKey, so
// a name taken since is asked about again rather than replaced.
func (b *browser) askExisting(req UploadRequest, e *ExistsError) {
	if len(e.Names) == 0 {
		b.u.showError(e) // nothing to name: say it rather than ask about nothing
		return
	}
	if len(e.Names) > 1 {
		b.askEach(req, e.Names, map[string]Existing{})
		return
	}
	name := e.Names[0]
	skip := ""
	if len(e.Names) < e.Total {
		// Some files are new here: they can go up alone.
		skip = lang.L("Skip these")
	}
	b.askClash(lang.L("Replace files?"), clashText(req, name), skip, func(x Existing) {
		b.uploadAnswered(req, map[string]Existing{name: x})
	})
}

// clashText says that the file of req that takes key would replace one.
func clashText(req UploadRequest, key string) *widget.Label {
	text := widget.NewLabel(lang.L("“{{.Name}}” already exists in this folder. Replacing it removes the file that is there now, for everyone who uses this storage.", map[string]any{"Name": shownName(req.Dest.Prefix, key)}))
	text.Wrapping = textWrap()
	return text
}

// askClash asks a name-clash question, title over body, with Cancel,
// Replace, skip (unless "") and Keep both; then gets the answer.
func (b *browser) askClash(title string, body fyne.CanvasObject, skip string, then func(Existing)) {
	d := dialog.NewCustomWithoutButtons(title, body, b.u.win)
	choose := func(x Existing) func() {
		return func() {
			d.Hide()
			then(x)
		}
	}
	replace := b.u.newKeyButton(lang.L("Replace"), choose(ReplaceExisting))
	replace.Importance = widget.DangerImportance
	keep := b.u.newKeyButton(lang.L("Keep both"), choose(KeepBoth))
	keep.Importance = widget.HighImportance
	buttons := []fyne.CanvasObject{b.u.newKeyButton(lang.L("Cancel"), d.Hide), replace}
	if skip != "" {
		buttons = append(buttons, b.u.newKeyButton(skip, choose(SkipExisting)))
	}
	d.SetButtons(append(buttons, keep))
	b.showExists(d, choose(KeepBoth))
}

// shownName is how a clashing key is named in a question: its path below
// the folder uploaded to (prefix), so that two "notes.txt" in the subfolders of a
// dropped folder are told apart.
func shownName(prefix, key string) string {
	if rel, ok := strings.CutPrefix(key, prefix); ok && rel != "" {
		return rel
	}
	return path.Base(key)
}

// showExists shows a name-clash question: Enter keeps both, which loses
// nothing; Esc cancels.
func (b *browser) showExists(d *dialog.CustomDialog, keep func()) {
	d.Resize(fyne.NewSize(480, 0))
	b.existsDialog = d
	d.Show()
	b.u.answerKeys(keep, d.Hide)
}

// askEach asks about names[len(answers)], the next clashing file; its
// answer, or the same for all the rest when the box is ticked, goes into
// answers, and the last answer starts the upload.
func (b *browser) askEach(req UploadRequest, names []string, answers map[string]Existing) {
	name := names[len(answers)]
	left := len(names) - len(answers) - 1
	body := container.NewVBox(clashText(req, name))
	forAll := b.u.newKeyCheck(lang.L("Do the same for the other {{.N}} files that already exist", map[string]any{"N": left}), nil)
	if left == 1 {
		forAll.Text = lang.L("Do the same for the other file that already exists")
	}
	if left > 0 {
		body.Add(forAll)
	}
	title := lang.L("Replace files? ({{.I}} of {{.N}})", map[string]any{"I": len(answers) + 1, "N": len(names)})
	b.askClash(title, body, lang.L("Skip"), func(x Existing) {
		answers[name] = x
		for _, n := range names[len(answers):] {
			if forAll.Checked {
				answers[n] = x
			}
		}
		if len(answers) < len(names) {
			b.askEach(req, names, answers)
			return
		}
		b.uploadAnswered(req, answers)
	})
}

// uploadAnswered sends req again, in one request, with answers added to
// the ones it carries: a dropped folder stays one upload and one line in
// Transfers. The files that clashed with nothing are still unanswered, so
// that a name taken meanwhile is asked about again.
func (b *browser) uploadAnswered(req UploadRequest, answers map[string]Existing) {
	perKey := maps.Clone(req.PerKey)
	if perKey == nil {
		perKey = map[string]Existing{}
	}
	maps.Copy(perKey, answers)
	req.PerKey = perKey
	b.upload(req)
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
