// Package ui is the ossvault desktop app, built with Fyne: the screens, one
// per file, each a struct holding its widgets and its onXxx handlers. It
// reaches the logic packages (vault, transfer, the local endpoint) only
// through the service layer, package app, whose contract backend.go names.
package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	service "github.com/ossvault/ossvault/app"
)

// AppID is the application identifier, shared with FyneApp.toml.
const AppID = "io.ossvault.app"

// windowTitle is how the window is found by people and by the end-to-end test.
const windowTitle = "ossvault"

// Options tell the app how to start. They are the app's own, not the
// command line's AppOptions: internal/cli imports the OSS adapter, and the
// app importing it would depend on the SDK again.
type Options struct {
	// Local starts the app on the embedded local endpoint with a demo bucket.
	Local bool
	// Home is the OSSVAULT_HOME folder.
	Home string
	// Context ends when SIGINT or SIGTERM arrives, from the moment the
	// process began listening: the app must quit even if the signal came
	// before it set up its own handling.
	Context context.Context
	// Connect reaches OSS (osssdk.Connect). The app is given it rather
	// than importing the SDK's adapter: it speaks only in transfer's
	// terms, and its tests can hand it the same adapter.
	Connect service.Connector
}

// Run opens the main window and blocks until it is closed. When the app is
// already open on opts.Home it asks that one to bring its window forward and
// returns nil at once. SIGINT or SIGTERM close the app at any point, as if
// its window were closed.
func Run(opts Options) error {
	if opts.Connect == nil {
		return errors.New("this build of the app cannot reach OSS: it was started without a connector")
	}
	if err := checkDisplay(displayEnv); err != nil {
		return err
	}
	q := listenQuit(opts.Context)
	defer q.stop()
	inst, err := claimOrShow(opts.Home, instanceWait, q.asked)
	if err != nil || inst == nil {
		return err
	}
	defer inst.close()
	prefs, err := loadPrefs(opts.Home)
	if err != nil {
		return err
	}
	if err := setLanguage(prefs.Language); err != nil {
		return err
	}
	be, err := service.Open(opts.Home, service.Options{Connect: opts.Connect, Parallel: prefs.parallel()})
	if err != nil {
		return err
	}
	defer be.Close()
	if q.asked() {
		return nil
	}
	a := app.NewWithID(AppID)
	a.SetIcon(appIcon)
	w := a.NewWindow(windowTitle)
	w.SetIcon(appIcon)
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, be, opts.Home, prefs)
	u.pick.native = desktopDialogs()
	u.start(opts.Local)
	defer startScreenText(w)()
	inst.setOnShow(func() {
		fyne.Do(func() {
			w.Show()
			w.RequestFocus()
		})
	})
	var closing atomic.Bool
	w.SetOnClosed(func() {
		closing.Store(true)
		inst.setOnShow(nil)
	})
	if q.setApp(func() {
		inst.setOnShow(nil)
		a.Quit()
	}) {
		showAndRun(w, func() bool { return closing.Load() || q.asked() })
	}
	inst.setOnShow(nil)
	u.close()
	return nil
}

// showAndRun runs the window until it closes. Fyne 2.7 can crash in its
// loop on a pointer event that reaches a window it is closing (the first
// one sets the cursor on the window it has let go of: window.go,
// processMouseMoved); a quit signalled right as the window opens meets it.
// Once the window is closing or a quit was asked, such a crash ends the
// loop as the quit would have, and the app closes its service as on any
// quit; any other panic goes on.
func showAndRun(w fyne.Window, quitting func() bool) {
	defer func() {
		if r := recover(); r != nil {
			if !quitting() {
				panic(r)
			}
			fmt.Fprintf(os.Stderr, "ossvault: the window's toolkit failed while closing (%v); quitting\n", r)
		}
	}()
	w.ShowAndRun()
}

// quitter closes the app on SIGINT or SIGTERM whenever they come. Fyne's
// driver listens for them too, but only once its loop runs; before that, and
// before the app exists, a signal would otherwise be swallowed and the app
// would open anyway.
type quitter struct {
	sigs chan os.Signal
	done chan struct{}

	mu        sync.Mutex
	requested bool
	quit      func()
}

// listenQuit starts listening. A signal that ended ctx (the command line's
// own handler, which listens from the start of the process) counts as one
// that came here.
func listenQuit(ctx context.Context) *quitter {
	if ctx == nil {
		ctx = context.Background()
	}
	q := &quitter{sigs: make(chan os.Signal, 1), done: make(chan struct{}), requested: ctx.Err() != nil}
	signal.Notify(q.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-q.sigs:
		case <-ctx.Done():
		case <-q.done:
			return
		}
		q.mu.Lock()
		q.requested = true
		quit := q.quit
		q.mu.Unlock()
		if quit != nil {
			fyne.Do(quit)
		}
	}()
	return q
}

// asked reports whether a signal came in before the app was built.
func (q *quitter) asked() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.requested
}

// setApp hands over how to quit the app once it exists, to be called from
// another goroutine through fyne.Do, which queues it for Fyne's loop. It
// reports false when a signal came before: then the loop must not start.
// (On the main goroutine before the loop runs, fyne.Do calls quit at once,
// when the driver has nothing to stop yet, and the loop would run on.)
func (q *quitter) setApp(quit func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.quit = quit
	return !q.requested
}

func (q *quitter) stop() {
	signal.Stop(q.sigs)
	close(q.done)
}

// appUI is the window and the screens in it.
type appUI struct {
	app   fyne.App
	win   fyne.Window
	be    Backend
	home  string
	prefs Prefs

	ctx    context.Context
	cancel context.CancelFunc
	// tasks counts background work, so tests can wait for it to land.
	tasks taskCount
	uiMu  sync.Mutex

	// keys is the latest list of keys, shared by every screen.
	keys []Key

	firstRun  *firstRun
	browser   *browser
	transfers *transfersPanel
	keysView  *keysScreen
	settings  *settingsScreen
	sharing   *sharing

	// quitAsk is the question asked when the window is closed with
	// transfers under way.
	quitAsk *shownDialog
	// dialogKeys is what Enter and Esc do in each open dialog.
	dialogKeys map[fyne.CanvasObject]dialogKeys

	tabs   *container.AppTabs
	status *statusLine
	// pick asks for files and folders, in the desktop's own dialogs
	// where there are any.
	pick      *picker
	statusBar *fyne.Container
	main      fyne.CanvasObject
}

func newAppUI(a fyne.App, w fyne.Window, be Backend, home string, prefs Prefs) *appUI {
	ctx, cancel := context.WithCancel(context.Background())
	u := &appUI{app: a, win: w, be: be, home: home, prefs: prefs, ctx: ctx, cancel: cancel}
	u.pick = &picker{u: u}
	be.Transfers().SetParallel(prefs.parallel())
	u.build()
	w.SetOnDropped(u.onDropped)
	w.SetCloseIntercept(u.onCloseRequested)
	w.Canvas().SetOnTypedKey(u.onTypedKey)
	return u
}

// onCloseRequested closes the window, first saying, when transfers are
// under way, that they stop now and carry on by themselves the next time
// the app opens: closing said nothing, and people waited or feared the
// files were lost.
func (u *appUI) onCloseRequested() {
	n := u.transfers.unfinished()
	if n == 0 {
		u.win.Close()
		return
	}
	if u.quitAsk != nil && u.quitAsk.visible() {
		return
	}
	msg := lang.L("{{.N}} transfers are not finished. If you quit now they stop, and carry on from where they were the next time you open ossvault.", map[string]any{"N": n})
	if n == 1 {
		msg = lang.L("1 transfer is not finished. If you quit now it stops, and carries on from where it was the next time you open ossvault.")
	}
	d := u.newConfirm(lang.L("Quit ossvault?"), msg, func(quit bool) {
		if quit {
			u.win.Close()
		}
	})
	d.SetConfirmText(lang.L("Quit"))
	d.SetDismissText(lang.L("Keep open"))
	u.quitAsk = &shownDialog{d: d}
	d.SetOnClosed(func() { u.quitAsk.closed = true })
	u.showConfirm(d)
}

// shownDialog is a dialog and whether it was closed, so that a second
// request does not stack another one on it.
type shownDialog struct {
	d      dialog.Dialog
	closed bool
}

func (s *shownDialog) visible() bool { return !s.closed }

// build creates every screen; it runs again when the language changes.
func (u *appUI) build() {
	u.status = newStatusLine()
	if u.transfers != nil {
		u.transfers.close()
	}
	u.transfers = newTransfersPanel(u)
	u.sharing = newSharing(u)
	u.browser = newBrowser(u)
	u.keysView = newKeysScreen(u)
	u.settings = newSettingsScreen(u)
	u.firstRun = newFirstRun(u)
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Files"), theme.FolderIcon(), u.browser.content),
		container.NewTabItemWithIcon(lang.L("Transfers"), theme.DownloadIcon(), u.transfers.content),
		container.NewTabItemWithIcon(lang.L("Keys"), theme.AccountIcon(), u.keysView.content),
		container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), u.settings.content),
	)
	// The summary is short and takes what it needs; the status line gets
	// the rest, since it names the folder a download went to and at half
	// the width an 800-pixel window cut that folder off.
	u.transfers.summary.Alignment = fyne.TextAlignTrailing
	u.statusBar = container.NewBorder(nil, nil, nil, u.transfers.summary, u.status)
	u.main = container.New(mainLayout{status: u.status, summary: u.transfers.summary}, u.tabs, u.statusBar)
	u.status.changed = u.main.Refresh
	u.keysChanged()
	u.transfers.updateSummary()
}

// start shows the first-run screens when the app is not set up yet, else
// the main screen. local goes straight to the endpoint on this computer.
func (u *appUI) start(local bool) {
	u.win.SetContent(widget.NewLabel(lang.L("Opening…")))
	goDo(u, func(ctx context.Context) (setupState, error) {
		return u.setupState(ctx, local)
	}, func(st setupState, err error) {
		if err == nil {
			u.keys = st.keys
		}
		switch {
		case err != nil:
			u.win.SetContent(u.firstRun.content)
			u.firstRun.showWelcome()
			u.showError(err)
		case st.needAccount:
			u.win.SetContent(u.firstRun.content)
			u.firstRun.showWelcome()
		case st.needKey:
			u.win.SetContent(u.firstRun.content)
			u.firstRun.showKeyStep()
		default:
			u.showMain()
		}
		if err == nil {
			u.tellLocalMoved()
		}
	})
}

// tellLocalMoved says, once at start, that links to files on this computer
// made before no longer work because the local storage took a new address.
func (u *appUI) tellLocalMoved() {
	if m, ok := u.be.(interface{ LocalMoved() bool }); ok && m.LocalMoved() {
		u.showNotice(u.newInfo(lang.L("The storage on this computer has a new address"),
			lang.L("Another program was using the address of the storage on this computer, so it now uses a new one. Links made earlier for files on this computer no longer work: share those files again to send new links.")))
	}
}

type setupState struct {
	needAccount, needKey bool
	keys                 []Key
}

func (u *appUI) setupState(ctx context.Context, local bool) (setupState, error) {
	var st setupState
	if local {
		if _, err := u.be.Accounts().StartLocal(ctx); err != nil {
			return setupState{needAccount: true}, err
		}
	} else {
		accts, err := u.be.Accounts().List(ctx)
		if err != nil {
			return setupState{needAccount: true}, err
		}
		// Someone who came in with a link finished setting up with a key
		// and no storage: the main screen is theirs, with "Add storage…"
		// for later.
		st.needAccount = len(accts) == 0 && !u.prefs.SetupDone
	}
	keys, err := u.be.Keys().List(ctx)
	if err != nil {
		return st, err
	}
	// The keys go to u.keys on the UI goroutine, where every screen reads
	// them, not here on the worker.
	st.keys = keys
	st.needKey = !hasOwnKey(keys)
	return st, nil
}

func hasOwnKey(keys []Key) bool {
	for _, k := range keys {
		if k.Kind == KeyMine || k.Kind == KeyKMS {
			return true
		}
	}
	return false
}

// showMain swaps the first-run screens for the main window content.
func (u *appUI) showMain() {
	if !u.prefs.SetupDone {
		u.prefs.SetupDone = true
		u.savePrefs()
	}
	u.win.SetContent(u.main)
	u.browser.reloadAccounts()
	u.reloadKeys()
	u.transfers.reload()
	u.remindBackup()
	u.sharing.offerExpiredCopies()
}

// remindBackup says, each time the main screen opens, that my keys have
// no backup: whoever chose "Not now" on the first day loses every file
// locked for them when this computer breaks, and nothing else tells them.
// Company (KMS) keys live in the cloud and need none.
func (u *appUI) remindBackup() {
	if u.prefs.KeysBackedUp || !slices.ContainsFunc(u.keys, func(k Key) bool { return k.Kind == KeyMine }) {
		return
	}
	u.setStatus(backupReminder())
}

func backupReminder() string {
	return lang.L("Your key has no backup: if this computer breaks, your files are lost. Back it up on Keys.")
}

// setBackedUp records whether my keys have a backup since the last one of
// them was made.
func (u *appUI) setBackedUp(done bool) {
	if u.prefs.KeysBackedUp != done {
		u.prefs.KeysBackedUp = done
		u.savePrefs()
	}
	if done && u.status.Text == backupReminder() {
		u.setStatus("")
	}
}

func (u *appUI) close() {
	u.cancel()
	u.transfers.close()
	u.transfers.waitEvents()
	u.tasks.Wait()
	// The "locked with" look-ups stop at the cancel; wait for those under
	// way, so none reaches into the window (or the translations, which a
	// test may be changing) after the app is closed.
	u.browser.locks.wait()
}

// wait blocks until every background task started so far has landed.
func (u *appUI) wait() { u.tasks.Wait() }

// goDo runs work off the UI goroutine and then done on it, so the window never
// freezes on the network, the keychain or key generation.
func goDo[T any](u *appUI, work func(ctx context.Context) (T, error), done func(T, error)) {
	u.tasks.Add(1)
	go func() {
		defer u.tasks.Done()
		v, err := work(u.ctx)
		u.do(func() { done(v, err) })
	}()
}

// do runs f on the UI goroutine. The lock changes nothing in the app, where
// Fyne already runs these one at a time on its main goroutine; Fyne's test
// driver instead runs them on the calling goroutine, and the lock keeps the
// tests as serial as the app.
func (u *appUI) do(f func()) {
	fyne.Do(func() {
		u.uiMu.Lock()
		defer u.uiMu.Unlock()
		f()
	})
}

// showError tells the user what went wrong in their words.
func (u *appUI) showError(err error) {
	d := u.newInfo(lang.L("That did not work"), u.explain(err))
	u.showNotice(d)
}

func (u *appUI) explain(err error) string { return explain(err, u.keyForMatDesc) }

// keyForMatDesc names the key or colleague a key description belongs to.
func (u *appUI) keyForMatDesc(md string) string {
	if md == "" {
		return ""
	}
	var want map[string]string
	if json.Unmarshal([]byte(md), &want) != nil {
		return ""
	}
	for _, k := range u.keys {
		var have map[string]string
		if k.MatDesc != "" && json.Unmarshal([]byte(k.MatDesc), &have) == nil && reflect.DeepEqual(want, have) {
			return k.Name
		}
	}
	return ""
}

// reloadKeys fetches the keys and hands them to every screen.
func (u *appUI) reloadKeys() {
	goDo(u, func(ctx context.Context) ([]Key, error) {
		return u.be.Keys().List(ctx)
	}, func(keys []Key, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		u.keys = keys
		u.keysChanged()
	})
}

func (u *appUI) keysChanged() {
	u.browser.setKeys(u.keys)
	u.keysView.setKeys(u.keys)
	u.settings.setKeys(u.keys)
}

func (u *appUI) savePrefs() {
	if err := u.prefs.save(u.home); err != nil {
		u.showError(err)
	}
}

// onDropped uploads files and folders dropped anywhere on the window into
// the folder on screen.
func (u *appUI) onDropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, x := range uris {
		if x.Scheme() == "file" {
			paths = append(paths, x.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	u.browser.uploadPaths(paths)
}

// setStatus shows a short line in the status bar.
func (u *appUI) setStatus(s string) { u.status.SetText(s) }

// humanBytes writes a size the way file managers do.
func humanBytes(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}
