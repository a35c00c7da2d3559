package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
)

// defaultKeyBits is the size of keys the app creates.
const defaultKeyBits = 3072

// backupFileName is what a key backup is called unless the user says else.
const backupFileName = "ossvault-keys-backup.age"

// firstRun walks a new user through connecting to storage, getting a key and
// saving a backup of it.
type firstRun struct {
	u       *appUI
	content *fyne.Container

	// Connect to Alibaba Cloud OSS.
	accountName *widget.Entry
	region      *widget.Select
	endpoint    *widget.Entry
	keyID       *widget.Entry
	keySecret   *widget.Entry
	stsToken    *widget.Entry
	connectBtn  *widget.Button
	connectErr  *widget.Label
	// cancelBtn stops a check under way; stopConnect is its context's
	// cancel, nil when no check runs.
	cancelBtn   *widget.Button
	stopConnect context.CancelFunc

	// Get a key.
	keyName    *widget.Entry
	createBtn  *widget.Button
	importBtn  *widget.Button
	kmsBtn     *widget.Button
	restoreBtn *widget.Button
	keyBusy    *widget.Activity
	keyBusyMsg *widget.Label

	// Save a backup.
	pass1, pass2 *widget.Entry
	backupBtn    *widget.Button
	backupPath   string // where the save dialog put the backup, to tell the user
	laterBtn     *widget.Button

	// step names the page on screen, for tests.
	step string
	// welcomed is whether the welcome, which says what the app is for,
	// has been on show.
	welcomed bool
	// fromMain is set when the main screen asked to add an account: Back
	// and success lead there instead of through the rest of first run.
	fromMain bool

	// received is the path of someone who was sent a link.
	received *received
	// afterKey, when set, runs once the main screen shows at the end of
	// the key steps.
	afterKey func()
}

func newFirstRun(u *appUI) *firstRun {
	f := &firstRun{u: u, content: container.NewStack()}

	f.accountName = widget.NewEntry()
	f.accountName.SetText(lang.L("My storage"))
	f.region = widget.NewSelect(regionLabels(), nil)
	f.region.SetSelectedIndex(0)
	f.endpoint = widget.NewEntry()
	f.endpoint.SetPlaceHolder(lang.L("Only if your administrator gave you an address"))
	f.keyID = widget.NewEntry()
	f.keySecret = widget.NewPasswordEntry()
	f.stsToken = widget.NewPasswordEntry()
	f.stsToken.SetPlaceHolder(lang.L("Only for a temporary key"))
	f.connectBtn = widget.NewButtonWithIcon(lang.L("Connect"), theme.ConfirmIcon(), f.onConnect)
	f.connectBtn.Importance = widget.HighImportance
	f.connectErr = widget.NewLabel("")
	f.connectErr.Wrapping = textWrap()
	f.cancelBtn = widget.NewButton(lang.L("Cancel"), f.onCancelConnect)
	f.cancelBtn.Hide()

	f.keyName = widget.NewEntry()
	f.keyName.SetText(lang.L("My key"))
	f.createBtn = widget.NewButtonWithIcon(lang.L("Create my key"), theme.ContentAddIcon(), f.onCreateKey)
	f.createBtn.Importance = widget.HighImportance
	f.importBtn = widget.NewButtonWithIcon(lang.L("Import a key"), theme.FileIcon(), f.onImportKeyDialog)
	f.kmsBtn = widget.NewButtonWithIcon(lang.L("Add a company key"), theme.StorageIcon(), f.onAddKMSDialog)
	// Someone on a new computer has their key in a backup: a new key
	// would not open anything they or their colleagues locked before.
	f.restoreBtn = widget.NewButtonWithIcon(lang.L("Restore from a backup…"), theme.HistoryIcon(), f.onRestoreDialog)
	// A stopped spinner still draws a dot: show it only while working.
	f.keyBusy = widget.NewActivity()
	f.keyBusy.Hide()
	f.keyBusyMsg = widget.NewLabel("")

	f.pass1 = widget.NewPasswordEntry()
	f.pass2 = widget.NewPasswordEntry()
	f.backupBtn = widget.NewButtonWithIcon(lang.L("Save a backup…"), theme.DocumentSaveIcon(), f.onBackupDialog)
	f.backupBtn.Importance = widget.HighImportance
	f.laterBtn = widget.NewButton(lang.L("Not now"), f.onSkipBackup)
	f.received = newReceived(f)
	return f
}

func (f *firstRun) show(step string, title, intro string, body fyne.CanvasObject) {
	f.step = step
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	text := widget.NewLabel(intro)
	text.Wrapping = textWrap()
	page := newWrapStack(heading, text, widget.NewSeparator(), body)
	f.content.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVScroll(page))}
	f.content.Refresh()
}

// showWelcome offers the ways to start: with a storage account, on this
// computer, or with a link someone sent.
func (f *firstRun) showWelcome() {
	cloud := widget.NewButtonWithIcon(lang.L("Connect to Alibaba Cloud OSS"), theme.StorageIcon(), f.showConnect)
	cloud.Importance = widget.HighImportance
	local := widget.NewButtonWithIcon(lang.L("Try it on this computer"), theme.ComputerIcon(), f.onTryLocal)
	note := widget.NewLabel(lang.L("Trying it keeps everything in a folder on this computer. You can connect to Alibaba Cloud later."))
	note.Wrapping = textWrap()
	link := widget.NewButtonWithIcon(lang.L("I received a link"), theme.MailComposeIcon(), f.received.showLink)
	f.welcomed = true
	f.show("welcome", lang.L("Welcome to ossvault"),
		lang.L("ossvault locks your files on this computer before they go to cloud storage, so only the people you choose can open them."),
		container.NewVBox(cloud, local, note, widget.NewSeparator(), link))
}

// showConnect asks for the storage account.
func (f *firstRun) showConnect() {
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), f.accountName),
		widget.NewFormItem(lang.L("Region"), f.region),
		widget.NewFormItem(lang.L("Address"), f.endpoint),
		widget.NewFormItem(lang.L("AccessKey ID"), f.keyID),
		widget.NewFormItem(lang.L("AccessKey secret"), f.keySecret),
		widget.NewFormItem(lang.L("Security token"), f.stsToken),
	)
	back := widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), func() {
		if f.fromMain {
			f.fromMain = false
			f.u.showMain()
			return
		}
		f.showWelcome()
	})
	ossutil := widget.NewButtonWithIcon(lang.L("Import from ossutil"), theme.FolderOpenIcon(), func() { f.onImportOssutil("") })
	f.connectErr.SetText("")
	f.show("connect", lang.L("Connect to Alibaba Cloud OSS"),
		lang.L("Your administrator can give you these details. The secret is kept in this computer's keychain."),
		container.NewVBox(form, f.connectErr, container.NewHBox(back, ossutil, f.connectBtn, f.cancelBtn)))
}

// onConnect checks and saves the account typed in.
func (f *firstRun) onConnect() {
	a, c, err := f.account()
	if err != nil {
		f.connectErr.SetText(f.u.explain(err))
		return
	}
	f.connectBtn.Disable()
	f.cancelBtn.Show()
	f.connectErr.SetText(lang.L("Checking…"))
	// An address that never answers held the page on "Checking…" for a
	// minute with no way out: the check has a bound and a Cancel.
	ctx, stop := context.WithTimeout(f.u.ctx, connectWait)
	f.stopConnect = stop
	goDo(f.u, func(context.Context) (struct{}, error) {
		return struct{}{}, f.u.be.Accounts().Add(ctx, a, c)
	}, func(_ struct{}, err error) {
		ended := ctx.Err()
		stop()
		f.stopConnect = nil
		f.connectBtn.Enable()
		f.cancelBtn.Hide()
		switch {
		case err == nil:
			// Saved, even if Cancel came too late to stop it.
			f.connectErr.SetText("")
			f.afterAccount()
		case errors.Is(ended, context.Canceled):
			f.connectErr.SetText(lang.L("Stopped. Nothing was saved."))
		case errors.Is(ended, context.DeadlineExceeded):
			f.connectErr.SetText(lang.L("{{.Address}} did not answer within {{.N}} seconds. Check the address, or this computer's internet connection.",
				map[string]any{"Address": a.Endpoint, "N": int(connectWait / time.Second)}))
		default:
			f.connectErr.SetText(connectFailed(f.u, a, err))
		}
	})
}

// connectFailed words a failed check of a new account. A closed port on
// this computer's own address reads, anywhere else, as a link to a closed
// ossvault app: here no link is involved, only the address typed in.
func connectFailed(u *appUI, a Account, err error) string {
	if app.CauseOf(err) == app.LocalAppClosed {
		return lang.L("Nothing answers at {{.Address}}. Check the address, and that the storage service there is running.", map[string]any{"Address": a.Endpoint})
	}
	return u.explain(err)
}

// connectWait bounds the check of a new account.
var connectWait = 10 * time.Second

func (f *firstRun) onCancelConnect() {
	if f.stopConnect != nil {
		f.stopConnect()
	}
}

// account reads the connect form.
func (f *firstRun) account() (Account, Credentials, error) {
	name := strings.TrimSpace(f.accountName.Text)
	if name == "" {
		return Account{}, Credentials{}, errEmptyName
	}
	r := ossRegions[max(f.region.SelectedIndex(), 0)]
	a := Account{Name: name, Region: r.ID, Endpoint: r.endpoint()}
	if ep := strings.TrimSpace(f.endpoint.Text); ep != "" {
		a.Endpoint = ep
	}
	c := Credentials{
		AccessKeyID:     strings.TrimSpace(f.keyID.Text),
		AccessKeySecret: strings.TrimSpace(f.keySecret.Text),
		SecurityToken:   strings.TrimSpace(f.stsToken.Text),
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return a, c, errMissingAccessKey
	}
	return a, c, nil
}

// onImportOssutil reads ossutil's settings (path "" for its default file).
func (f *firstRun) onImportOssutil(path string) {
	goDo(f.u, func(ctx context.Context) ([]Account, error) {
		return f.u.be.Accounts().ImportOssutil(ctx, path)
	}, func(accts []Account, err error) {
		if err != nil {
			f.connectErr.SetText(f.u.explain(err))
			return
		}
		if len(accts) == 0 {
			f.connectErr.SetText(lang.L("ossutil has no saved account on this computer."))
			return
		}
		f.afterAccount()
	})
}

// onTryLocal starts the storage on this computer.
func (f *firstRun) onTryLocal() {
	goDo(f.u, func(ctx context.Context) (Account, error) {
		return f.u.be.Accounts().StartLocal(ctx)
	}, func(_ Account, err error) {
		if err != nil {
			f.u.showError(err)
			return
		}
		f.afterAccount()
	})
}

// showAddAccount offers the connect page from the main screen.
func (f *firstRun) showAddAccount() {
	f.fromMain = true
	f.u.win.SetContent(f.content)
	f.showConnect()
}

// afterAccount moves on to the key, unless the user already has one.
func (f *firstRun) afterAccount() {
	if f.fromMain || hasOwnKey(f.u.keys) {
		f.fromMain = false
		f.u.showMain()
		return
	}
	f.showKeyStep()
}

// showKeyStep offers the ways to get a key.
func (f *firstRun) showKeyStep() {
	f.keyBusyMsg.SetText("")
	form := widget.NewForm(widget.NewFormItem(lang.L("Key name"), f.keyName))
	intro := lang.L("Your key locks and unlocks your files. It stays on this computer: colleagues get only its public half.")
	if !f.welcomed {
		// Started straight on this step (--local): the welcome, which
		// says what the app is for, was never shown.
		intro = lang.L("ossvault locks your files on this computer before they go to cloud storage, so only the people you choose can open them.") + "\n\n" + intro
	}
	f.show("key", lang.L("Your key"), intro,
		container.NewVBox(form, f.createBtn, container.NewHBox(f.importBtn, f.kmsBtn),
			widget.NewLabel(lang.L("Have a backup of your key from another computer?")), container.NewHBox(f.restoreBtn),
			container.NewHBox(f.keyBusy, f.keyBusyMsg)))
}

func (f *firstRun) setKeyBusy(busy bool, msg string) {
	for _, b := range []*widget.Button{f.createBtn, f.importBtn, f.kmsBtn, f.restoreBtn} {
		setEnabled(b, !busy)
	}
	if busy {
		f.keyBusy.Show()
		f.keyBusy.Start()
	} else {
		f.keyBusy.Stop()
		f.keyBusy.Hide()
	}
	f.keyBusyMsg.SetText(msg)
}

// onCreateKey makes a new key pair in the background (it takes seconds).
func (f *firstRun) onCreateKey() {
	name := strings.TrimSpace(f.keyName.Text)
	if name == "" {
		f.keyBusyMsg.SetText(f.u.explain(errEmptyName))
		return
	}
	f.setKeyBusy(true, lang.L("Creating your key… this takes a few seconds."))
	goDo(f.u, func(ctx context.Context) (Key, error) {
		return f.u.be.Keys().Generate(ctx, name, defaultKeyBits)
	}, f.keyAdded)
}

func (f *firstRun) keyAdded(k Key, err error) {
	f.setKeyBusy(false, "")
	if err != nil {
		f.keyBusyMsg.SetText(f.u.explain(err))
		return
	}
	f.u.keys = append(f.u.keys, k)
	if k.Kind == KeyMine {
		f.u.setBackedUp(false)
	}
	f.u.keysChanged()
	f.u.reloadKeys()
	f.showBackupStep()
}

func (f *firstRun) onImportKeyDialog() {
	openFile(f.u, func(_ string, data []byte) { f.onImportKey(bytes.NewReader(data)) })
}

// onImportKey imports a private key file under the name typed in.
func (f *firstRun) onImportKey(r io.Reader) {
	name := strings.TrimSpace(f.keyName.Text)
	pem, err := readSmall(r)
	if err == nil && name == "" {
		err = errEmptyName
	}
	if err != nil {
		f.keyBusyMsg.SetText(f.u.explain(err))
		return
	}
	f.setKeyBusy(true, lang.L("Importing your key…"))
	goDo(f.u, func(ctx context.Context) (Key, error) {
		return f.u.be.Keys().ImportPrivate(ctx, name, pem)
	}, f.keyAdded)
}

func (f *firstRun) onRestoreDialog() {
	openFile(f.u, func(_ string, data []byte) { f.restoreFrom(data) })
}

// restoreFrom restores the keys of a backup and goes on to the main
// screen: they come from a backup, so there is none to make.
func (f *firstRun) restoreFrom(data []byte) {
	f.u.keysView.askRestore(data, f.finish)
}

func (f *firstRun) onAddKMSDialog() {
	showKMSDialog(f.u, func(k KMSKey) {
		f.setKeyBusy(true, lang.L("Checking the company key…"))
		goDo(f.u, func(ctx context.Context) (Key, error) {
			return f.u.be.Keys().AddKMS(ctx, k)
		}, f.keyAdded)
	})
}

// showBackupStep asks for a passphrase-protected backup of the new key.
func (f *firstRun) showBackupStep() {
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Passphrase"), f.pass1),
		widget.NewFormItem(lang.L("Passphrase again"), f.pass2),
	)
	f.keyBusyMsg.SetText("")
	f.show("backup", lang.L("Save a backup of your key"),
		lang.L("If this computer is lost or breaks, the backup is the only way to open your files again. Keep it somewhere safe, such as a USB stick, and remember the passphrase: nobody can recover it."),
		container.NewVBox(form, f.keyBusyMsg, container.NewHBox(f.laterBtn, f.backupBtn)))
}

func (f *firstRun) onBackupDialog() {
	if err := checkPassphrases(f.pass1.Text, f.pass2.Text); err != nil {
		f.keyBusyMsg.SetText(f.u.explain(err))
		return
	}
	// An earlier "too short" must not stay on screen once the passphrase
	// is right: it reads as if the backup were refused.
	f.keyBusyMsg.SetText("")
	f.u.pick.saveFile(lang.L("Save a backup of your key"), backupFileName, func(w fyne.URIWriteCloser) {
		f.backupPath = w.URI().Path()
		f.onBackup(w)
	})
}

// onBackup writes the backup to w and closes it.
func (f *firstRun) onBackup(w io.WriteCloser) {
	pass := f.pass1.Text
	if err := checkPassphrases(pass, f.pass2.Text); err != nil {
		w.Close()
		f.keyBusyMsg.SetText(f.u.explain(err))
		return
	}
	goDo(f.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, writePrivate(w, func(out io.Writer) error { return f.u.be.Keys().Backup(ctx, out, pass) })
	}, func(_ struct{}, err error) {
		if err != nil {
			f.keyBusyMsg.SetText(f.u.explain(err))
			return
		}
		f.pass1.SetText("")
		f.pass2.SetText("")
		f.u.setBackedUp(true)
		f.u.showMain()
		// The window moves on at once: say that the backup worked, and
		// where it went, or the user is left wondering.
		if f.backupPath != "" {
			f.u.setStatus(lang.L("Your backup is saved in {{.Path}}.", map[string]any{"Path": f.backupPath}))
		} else {
			f.u.setStatus(lang.L("Your backup is saved."))
		}
		f.runAfterKey()
	})
}

func (f *firstRun) onSkipBackup() { f.finish() }

// finish leaves the key steps for the main screen.
func (f *firstRun) finish() {
	f.u.showMain()
	f.runAfterKey()
}

func (f *firstRun) runAfterKey() {
	if then := f.afterKey; then != nil {
		f.afterKey = nil
		then()
	}
}

// checkPassphrases validates a new passphrase typed twice; its length rule
// is app.CheckPassphrase, the one Backup itself enforces.
func checkPassphrases(a, b string) error {
	if a != b {
		return errPassphraseMismatch
	}
	return app.CheckPassphrase(a)
}

// maxKeyFile bounds what is read from a key file a user picks, so picking a
// film by mistake does not fill memory.
const maxKeyFile = 1 << 20

func readSmall(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, errNotAKeyFile
	}
	return b, nil
}
