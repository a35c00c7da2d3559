package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

const (
	// pageSize is how many entries one listing call asks for (OSS's most).
	pageSize = 1000
	// prefetchRows: when a row this close to the end is drawn, the next
	// page is fetched, so scrolling rarely waits.
	prefetchRows  = 100
	lockCacheSize = 4096
	lockWorkers   = 4
)

// Columns of the file list.
const (
	colName = iota
	colSize
	colModified
	colLock
	colSeal
)

// fileColumnWidths are the widths every column but the name starts with
// (and a reset brings back); the user may drag them wider or narrower.
var fileColumnWidths = []float32{90, 150, 200, 110}

// newFileColumns lays out the file list's header and rows alike, with the
// widths (of every column but the name) the browser keeps. A narrow window
// hides the modified time, then the size, before names become unreadable;
// who a file is locked for and its tamper check always show.
func newFileColumns(widths []float32) *columns {
	return &columns{widths: widths, minFirst: minNameWidth, drop: []int{colModified, colSize}}
}

// minNameWidth is the room the names keep before columns are hidden, or
// given up to a column dragged wider.
const minNameWidth = 200

// browser shows accounts and buckets, one folder's files, and what can be
// done with them.
type browser struct {
	u       *appUI
	content fyne.CanvasObject
	// existsDialog is the last "Replace files?" question asked, details
	// the last Details shown.
	existsDialog *dialog.CustomDialog
	details      *dialog.CustomDialog

	sidebar  *widget.Tree
	accounts []Account
	buckets  map[string][]string

	crumbs *fyne.Container
	// header is the columns' titles; headerRow adds the handles that
	// resize them (colWidths, the widths of every column but the name,
	// shared with the rows, which rows lists).
	header     *fyne.Container
	headerRow  *fyne.Container
	headBtns   []*widget.Button
	handles    []*colHandle
	colWidths  []float32
	rows       []*fileRow
	list       *fileList
	tip        *tipLayer
	drop       *dropZone
	filter     *widget.Entry
	encryptFor *widget.Select
	// keyLine holds "Encrypt for" and the filter, laid out anew when
	// the key chosen changes (keyFilterLayout).
	keyLine *fyne.Container
	// encryptWarned is the warning on the status line about the key chosen
	// in encryptFor, to clear when another is chosen.
	encryptWarned string
	// alsoFor are the further keys uploads are locked for ("Also for…"),
	// and alsoForBtn the button that chooses and names them.
	alsoFor    []string
	alsoForBtn *widget.Button
	info       *widget.Label
	loadMore   *widget.Button
	uploadBtn  *widget.Button
	newDirBtn  *widget.Button
	getBtn     *widget.Button
	shareBtn   *widget.Button
	detailsBtn *widget.Button
	deleteBtn  *widget.Button
	refreshBtn *widget.Button
	openLink   *widget.Button
	addAccount *widget.Button

	// keyChoices maps the "Encrypt for" labels to key names.
	keyChoices map[string]string
	// chosenKey is the key the user last chose in "Encrypt for" ("" when
	// the app chose): only such a choice may stay on a colleague's key.
	chosenKey string
	// settingKeys is true while setKeys changes "Encrypt for", so that its
	// changes are not taken for the user's.
	settingKeys bool

	loc     Location
	hasLoc  bool
	gen     int // bumped on every new listing, so late pages are dropped
	all     []Entry
	view    []int // indices into all, filtered and sorted
	next    string
	more    bool
	loading bool
	sortCol int
	sortAsc bool
	// sel is the rows chosen, by their place in view; mods the modifier
	// keys held, for Ctrl- and Shift-click.
	sel  selection
	mods func() fyne.KeyModifier

	refreshPending bool

	locks  *lockCache
	checks *checkCache

	// folderDel is the latest folder deletion, kept for tests.
	folderDel *folderDelete
	// renaming is the latest rename dialog, kept for tests; reselect the
	// key of a file just renamed, to select once the list shows it.
	renaming *renameDialog
	reselect string
}

func newBrowser(u *appUI) *browser {
	b := &browser{u: u, buckets: map[string][]string{}, sortAsc: true, sel: newSelection(), mods: heldModifiers, checks: newCheckCache()}
	b.locks = newLockCache(lockCacheSize, lockWorkers, u.be.Storage().Lock, func(loc Location, key string, _ Lock) {
		u.do(func() { b.refreshKey(loc, key) })
	})

	b.sidebar = widget.NewTree(b.childUIDs, b.isBranch, b.createNode, b.updateNode)
	b.sidebar.OnSelected = b.onSidebarSelected
	b.sidebar.OnBranchOpened = func(uid widget.TreeNodeID) {
		if acct := strings.TrimPrefix(uid, "a:"); b.buckets[acct] == nil {
			b.loadBuckets(acct)
		}
	}

	b.crumbs = container.NewHBox()
	b.colWidths = restoredWidths(u.prefs.ColumnWidths)
	b.header = b.newHeader()
	b.headerRow = b.newHeaderRow()
	b.tip = newTipLayer(u.do)
	b.drop = newDropZone()
	b.list = newFileList(b)
	u.win.Canvas().AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) {
		if u.browserTakesKeys() {
			b.selectAll()
		}
	})

	b.filter = widget.NewEntry()
	b.filter.SetPlaceHolder(lang.L("Filter by name"))
	b.filter.OnChanged = func(string) { b.rebuildView() }
	b.encryptFor = widget.NewSelect(nil, nil)
	b.encryptFor.PlaceHolder = lang.L("No key yet")
	b.encryptFor.OnChanged = b.onEncryptForChanged
	b.info = widget.NewLabel("")
	b.loadMore = widget.NewButton(lang.L("Load more"), b.loadNextPage)
	b.loadMore.Hide()

	b.uploadBtn = widget.NewButtonWithIcon(lang.L("Upload"), theme.UploadIcon(), b.onUploadMenu)
	b.uploadBtn.Importance = widget.HighImportance
	b.newDirBtn = widget.NewButtonWithIcon(lang.L("New folder"), theme.FolderNewIcon(), b.onNewFolder)
	b.getBtn = widget.NewButtonWithIcon(lang.L("Download"), theme.DownloadIcon(), b.onDownload)
	b.shareBtn = widget.NewButtonWithIcon(lang.L("Share…"), theme.MailSendIcon(), b.onShare)
	b.detailsBtn = widget.NewButtonWithIcon(lang.L("Details"), theme.InfoIcon(), b.onDetails)
	b.deleteBtn = widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), b.onDelete)
	b.refreshBtn = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), b.refresh)
	b.openLink = widget.NewButtonWithIcon(lang.L("Open a shared link…"), theme.LoginIcon(), u.sharing.showOpenLink)
	b.addAccount = widget.NewButtonWithIcon(lang.L("Add storage…"), theme.ContentAddIcon(), func() { u.firstRun.showAddAccount() })

	// New folder sits with the folder's path it adds to, so the toolbar
	// fits an 800-pixel-wide window on one line in both languages.
	actions := container.NewHBox(b.uploadBtn, widget.NewSeparator(), b.getBtn, b.shareBtn, b.detailsBtn, b.deleteBtn)
	keyRow := container.NewBorder(nil, nil, widget.NewLabel(lang.L("Encrypt for:")), b.newAlsoFor(), b.encryptFor)
	b.keyLine = container.New(keyFilterLayout{b}, keyRow, b.filter)
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(b.newDirBtn, b.refreshBtn), container.NewHScroll(b.crumbs)),
		actions,
		b.keyLine,
		b.headerRow,
	)
	bottom := container.NewHBox(b.info, layout.NewSpacer(), b.loadMore)
	files := container.NewBorder(top, bottom, nil, nil, container.NewStack(b.list, b.drop.zone, b.tip.layer))
	side := container.NewBorder(widget.NewLabelWithStyle(lang.L("Storage"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(b.addAccount, b.openLink), nil, nil, b.sidebar)
	split := container.NewHSplit(container.New(sidebarLayout{b}, side), files)
	split.Offset = 0.22
	b.content = split
	b.showNoLocation()
	return b
}
