package ui

import (
	"bytes"
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// received is the first-run path of someone who was sent a link: paste
// it, bring back the key the file was locked for, open the file. It asks
// for no storage account, since a link needs none.
type received struct {
	f *firstRun

	link    *widget.Entry
	linkMsg *widget.Label

	// The key page: a backup chosen with its passphrase typed on the page
	// itself, so that a wrong passphrase is said there and nothing chosen
	// is lost.
	backupName string
	backup     []byte
	pass       *widget.Entry
	restoreBtn *widget.Button
	keyMsg     *widget.Label
	busy       *widget.Activity
}

func newReceived(f *firstRun) *received {
	r := &received{f: f}
	r.link = widget.NewMultiLineEntry()
	r.link.SetPlaceHolder(lang.L("Paste the link you were sent"))
	r.link.Wrapping = fyne.TextWrapBreak
	r.linkMsg = widget.NewLabel("")
	r.linkMsg.Wrapping = textWrap()
	r.link.OnChanged = func(v string) {
		if strings.TrimSpace(v) != "" && !isLink(v) {
			r.linkMsg.SetText(f.u.explain(errNotALink))
		} else {
			r.linkMsg.SetText("")
		}
	}
	r.pass = widget.NewPasswordEntry()
	r.pass.OnSubmitted = func(string) { r.onRestore() }
	r.restoreBtn = widget.NewButtonWithIcon(lang.L("Restore and open"), theme.ConfirmIcon(), r.onRestore)
	r.restoreBtn.Importance = widget.HighImportance
	r.keyMsg = widget.NewLabel("")
	r.keyMsg.Wrapping = textWrap()
	r.busy = widget.NewActivity()
	r.busy.Hide()
	return r
}

// showLink asks for the link.
func (r *received) showLink() {
	f := r.f
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), f.showWelcome)
	next := widget.NewButtonWithIcon(lang.L("Next"), theme.NavigateNextIcon(), r.onLink)
	next.Importance = widget.HighImportance
	f.show("received", lang.L("Open a file you were sent"),
		lang.L("Paste the link from the message you were sent. The file opens with your own key; you need no storage account."),
		container.NewVBox(r.link, r.linkMsg, container.NewHBox(back, next)))
}

func (r *received) onLink() {
	if !isLink(r.link.Text) {
		r.linkMsg.SetText(r.f.u.explain(errNotALink))
		return
	}
	if hasOwnKey(r.f.u.keys) {
		r.open()
		return
	}
	r.showKey()
}

// showKey asks for the key the file was locked for. A key made now cannot
// open it, so bringing back the old one comes first.
func (r *received) showKey() {
	f := r.f
	r.keyMsg.SetText("")
	choose := widget.NewButtonWithIcon(lang.L("Choose your backup…"), theme.FolderOpenIcon(), func() {
		openFile(f.u, func(name string, data []byte) {
			r.backupName, r.backup = name, data
			r.showKey()
			f.u.win.Canvas().Focus(r.pass)
		})
	})
	items := []fyne.CanvasObject{choose}
	if r.backup != nil {
		choose.SetText(lang.L("Choose another backup…"))
		form := widget.NewForm(
			widget.NewFormItem(lang.L("Backup"), widget.NewLabel(r.backupName)),
			widget.NewFormItem(lang.L("Passphrase"), r.pass))
		items = append(items, form, r.restoreBtn)
	} else {
		choose.Importance = widget.HighImportance
	}
	importKey := widget.NewButtonWithIcon(lang.L("Import a key file…"), theme.FileIcon(), r.onImportKey)
	newKey := widget.NewButton(lang.L("I have no key yet"), r.onNoKey)
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), r.showLink)
	items = append(items, container.NewHBox(r.busy, r.keyMsg), widget.NewSeparator(),
		container.NewHBox(back, importKey, newKey))
	f.show("received-key", lang.L("Bring back your key"),
		lang.L("The sender locked the file for your key. Restore your key from the backup you saved when you made it, and the file opens."),
		container.NewVBox(items...))
}

func (r *received) setBusy(busy bool, msg string) {
	if busy {
		r.restoreBtn.Disable()
		r.busy.Show()
		r.busy.Start()
	} else {
		r.restoreBtn.Enable()
		r.busy.Stop()
		r.busy.Hide()
	}
	r.keyMsg.SetText(msg)
}

func (r *received) onRestore() {
	if r.backup == nil || r.restoreBtn.Disabled() {
		return
	}
	data, pass := r.backup, r.pass.Text
	// Either way the passphrase is typed again; on failure the page stays
	// with the backup still chosen.
	r.pass.SetText("")
	r.bringBack(lang.L("Restoring your key…"), func(ctx context.Context) error {
		return r.f.u.be.Keys().Restore(ctx, bytes.NewReader(data), pass)
	}, func() { r.f.u.setBackedUp(true) })
}

func (r *received) onImportKey() {
	openFile(r.f.u, func(name string, data []byte) {
		r.bringBack(lang.L("Importing your key…"), func(ctx context.Context) error {
			_, err := r.f.u.be.Keys().ImportPrivate(ctx, keyNameFromFile(name), data)
			return err
		}, nil)
	})
}

// bringBack runs get, which brings a key back, off the UI goroutine with
// msg on the page, then, if it worked, done and keysBack with the keys now
// here; if not, the page says why.
func (r *received) bringBack(msg string, get func(context.Context) error, done func()) {
	r.setBusy(true, msg)
	goDo(r.f.u, func(ctx context.Context) ([]Key, error) {
		if err := get(ctx); err != nil {
			return nil, err
		}
		return r.f.u.be.Keys().List(ctx)
	}, func(keys []Key, err error) {
		r.setBusy(false, "")
		if err != nil {
			r.keyMsg.SetText(r.f.u.explain(err))
			return
		}
		if done != nil {
			done()
		}
		r.keysBack(keys)
	})
}

// keysBack takes the keys after one came back and opens the link, or says
// that what came back opens nothing (a colleague's public key, say).
func (r *received) keysBack(keys []Key) {
	r.f.u.keys = keys
	r.f.u.keysChanged()
	if !hasOwnKey(keys) {
		r.keyMsg.SetText(lang.L("That file holds no key of yours, only keys to lock files for others. Choose the backup or key file you saved when you made your key."))
		return
	}
	r.open()
}

// onNoKey makes a key the usual way; the link cannot be opened with it,
// and the main screen says what to do instead.
func (r *received) onNoKey() {
	r.f.afterKey = func() {
		r.f.u.setStatus(lang.L("A new key cannot open a file sent before it existed. Send your public key (Keys, Copy my public key) to the sender and ask for a new link."))
	}
	r.f.showKeyStep()
}

// open downloads and decrypts the link into the download folder and moves
// to the main screen, where the transfer shows.
func (r *received) open() {
	u := r.f.u
	link := strings.TrimSpace(r.link.Text)
	dir := u.prefs.downloadDir()
	goDo(u, func(ctx context.Context) (JobID, error) {
		return u.be.Sharing().OpenLink(ctx, link, dir)
	}, func(id JobID, err error) {
		if err != nil {
			// Back to the link: a damaged or expired link is what to
			// fix, and the key just brought back stays.
			r.showLink()
			r.linkMsg.SetText(u.explain(err))
			return
		}
		u.showMain()
		u.tabs.SelectIndex(transfersTab)
		u.transfers.track([]JobID{id}, lang.L("Downloading the shared file to {{.Dir}}…", map[string]any{"Dir": dir}), savedText)
	})
}

// transfersTab is the Transfers tab's place in the main window.
const transfersTab = 1
