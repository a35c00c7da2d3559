package ui

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"
	"time"

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

// fileColumnWidths are the fixed widths of every column but the name.
var fileColumnWidths = []float32{90, 150, 200, 110}

// newFileColumns lays out the file list's header and rows alike. A narrow
// window hides the modified time, then the size, before names become
// unreadable; who a file is locked for and its tamper check always show.
func newFileColumns() *columns {
	return &columns{widths: fileColumnWidths, minFirst: 200, drop: []int{colModified, colSize}}
}

// browser shows accounts and buckets, one folder's files, and what can be
// done with them.
type browser struct {
	u       *appUI
	content fyne.CanvasObject
	// existsDialog is the last "Replace files?" question asked.
	existsDialog *dialog.CustomDialog

	sidebar  *widget.Tree
	accounts []Account
	buckets  map[string][]string

	crumbs     *fyne.Container
	header     *fyne.Container
	list       *widget.List
	filter     *widget.Entry
	encryptFor *widget.Select
	// encryptWarned is the warning on the status line about the key chosen
	// in encryptFor, to clear when another is chosen.
	encryptWarned string
	info          *widget.Label
	loadMore      *widget.Button
	uploadBtn     *widget.Button
	newDirBtn     *widget.Button
	getBtn        *widget.Button
	shareBtn      *widget.Button
	detailsBtn    *widget.Button
	deleteBtn     *widget.Button
	refreshBtn    *widget.Button
	openLink      *widget.Button
	addAccount    *widget.Button

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
	sel     int // index into view, -1 for none

	refreshPending bool

	locks  *lockCache
	checks *checkCache

	// folderDel is the latest folder deletion, kept for tests.
	folderDel *folderDelete
}

func newBrowser(u *appUI) *browser {
	b := &browser{u: u, buckets: map[string][]string{}, sortAsc: true, sel: -1, checks: newCheckCache()}
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
	b.header = b.newHeader()
	b.list = widget.NewList(b.length, b.createRow, b.updateRow)
	b.list.OnSelected = b.onSelected
	b.list.OnUnselected = func(widget.ListItemID) { b.sel = -1; b.updateActions() }

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
	keyRow := container.NewBorder(nil, nil, widget.NewLabel(lang.L("Encrypt for:")), nil, b.encryptFor)
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(b.newDirBtn, b.refreshBtn), container.NewHScroll(b.crumbs)),
		actions,
		container.NewGridWithColumns(2, keyRow, b.filter),
		b.header,
	)
	bottom := container.NewHBox(b.info, layout.NewSpacer(), b.loadMore)
	files := container.NewBorder(top, bottom, nil, nil, b.list)
	side := container.NewBorder(widget.NewLabelWithStyle(lang.L("Storage"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(b.addAccount, b.openLink), nil, nil, b.sidebar)
	split := container.NewHSplit(side, files)
	split.Offset = 0.22
	b.content = split
	b.showNoLocation()
	return b
}

// --- sidebar: accounts and their buckets ---

func (b *browser) childUIDs(uid widget.TreeNodeID) []widget.TreeNodeID {
	if uid == "" {
		ids := make([]string, len(b.accounts))
		for i, a := range b.accounts {
			ids[i] = "a:" + a.Name
		}
		return ids
	}
	acct := strings.TrimPrefix(uid, "a:")
	var ids []string
	for _, bk := range b.buckets[acct] {
		ids = append(ids, "b:"+acct+"\x00"+bk)
	}
	return ids
}

func (b *browser) isBranch(uid widget.TreeNodeID) bool {
	return uid == "" || strings.HasPrefix(uid, "a:")
}

func (b *browser) createNode(bool) fyne.CanvasObject {
	return container.NewHBox(widget.NewIcon(nil), widget.NewLabel(""))
}

func (b *browser) updateNode(uid widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	icon, label := box.Objects[0].(*widget.Icon), box.Objects[1].(*widget.Label)
	if branch {
		name := strings.TrimPrefix(uid, "a:")
		icon.SetResource(theme.StorageIcon())
		label.SetText(name)
		for _, a := range b.accounts {
			if a.Name == name && a.Local {
				icon.SetResource(theme.ComputerIcon())
				// The local store's name is data, stored in English; on
				// screen it is the user's own words.
				label.SetText(lang.L("This computer"))
			}
		}
		return
	}
	_, bucket := splitBucketUID(uid)
	icon.SetResource(theme.FolderIcon())
	label.SetText(bucket)
}

func splitBucketUID(uid string) (account, bucket string) {
	account, bucket, _ = strings.Cut(strings.TrimPrefix(uid, "b:"), "\x00")
	return account, bucket
}

func (b *browser) onSidebarSelected(uid widget.TreeNodeID) {
	if !strings.HasPrefix(uid, "b:") {
		b.sidebar.OpenBranch(uid)
		return
	}
	acct, bucket := splitBucketUID(uid)
	b.open(Location{Account: acct, Bucket: bucket})
}

// reloadAccounts lists the accounts and their buckets, then opens the first
// bucket if no folder is on screen yet.
func (b *browser) reloadAccounts() {
	goDo(b.u, func(ctx context.Context) ([]Account, error) {
		return b.u.be.Accounts().List(ctx)
	}, func(accts []Account, err error) {
		if err != nil {
			b.u.showError(err)
			return
		}
		b.accounts = accts
		b.sidebar.Refresh()
		b.u.settings.setAccounts(accts)
		for _, a := range accts {
			b.loadBuckets(a.Name)
		}
	})
}

func (b *browser) loadBuckets(account string) {
	goDo(b.u, func(ctx context.Context) ([]string, error) {
		return b.u.be.Storage().Buckets(ctx, account)
	}, func(bs []string, err error) {
		if err != nil {
			b.u.setStatus(account + ": " + b.u.explain(err))
			return
		}
		if bs == nil {
			bs = []string{} // loaded, and empty
		}
		b.buckets[account] = bs
		b.sidebar.OpenBranch("a:" + account)
		b.sidebar.Refresh()
		if !b.hasLoc && len(bs) > 0 {
			b.sidebar.Select("b:" + account + "\x00" + bs[0])
		}
	})
}

// --- the folder on screen ---

func (b *browser) showNoLocation() {
	b.info.SetText(lang.L("Choose a bucket on the left."))
	b.updateCrumbs()
	b.updateActions()
}

// open shows a folder, fetching its first page.
func (b *browser) open(loc Location) {
	b.loc, b.hasLoc = loc, true
	b.gen++
	b.all, b.view, b.next, b.more, b.loading = nil, nil, "", true, false
	b.sel = -1
	b.list.UnselectAll()
	b.list.ScrollToTop()
	b.list.Refresh()
	b.updateCrumbs()
	b.updateActions()
	b.loadNextPage()
}

func (b *browser) refresh() {
	if b.hasLoc {
		b.open(b.loc)
	}
}

// loadNextPage fetches one more page of the folder, if there is one.
func (b *browser) loadNextPage() {
	if !b.hasLoc || !b.more || b.loading {
		return
	}
	b.loading = true
	gen, loc, token := b.gen, b.loc, b.next
	b.info.SetText(lang.L("Loading…"))
	goDo(b.u, func(ctx context.Context) (Page, error) {
		return b.u.be.Storage().List(ctx, loc, token, pageSize)
	}, func(p Page, err error) {
		if gen != b.gen {
			return // the user moved on to another folder
		}
		b.loading = false
		if err != nil {
			b.info.SetText(b.u.explain(err))
			b.more = false
			b.updateInfo()
			return
		}
		b.all = append(b.all, p.Entries...)
		b.next = p.Next
		b.more = p.Next != ""
		b.rebuildView()
		signalReady()
	})
}

// rebuildView applies the filter and the sort to what is loaded.
func (b *browser) rebuildView() {
	var selKey string
	if b.sel >= 0 && b.sel < len(b.view) {
		selKey = b.all[b.view[b.sel]].Key
	}
	f := strings.ToLower(strings.TrimSpace(b.filter.Text))
	b.view = b.view[:0]
	for i, e := range b.all {
		if f == "" || strings.Contains(strings.ToLower(e.Name), f) {
			b.view = append(b.view, i)
		}
	}
	sort.SliceStable(b.view, func(i, j int) bool { return b.less(b.all[b.view[i]], b.all[b.view[j]]) })
	b.sel = -1
	for i, idx := range b.view {
		if selKey != "" && b.all[idx].Key == selKey {
			b.sel = i
		}
	}
	b.list.Refresh()
	b.updateInfo()
	b.updateActions()
}

// less orders folders first, then by the chosen column; names break ties.
func (b *browser) less(x, y Entry) bool {
	if x.Folder != y.Folder {
		return x.Folder
	}
	c := 0
	switch b.sortCol {
	case colSize:
		c = cmpInt(x.Size, y.Size)
	case colModified:
		c = x.Modified.Compare(y.Modified)
	case colLock:
		c = strings.Compare(b.lockText(x), b.lockText(y))
	case colSeal:
		c = strings.Compare(sealText(b.lockOf(x.Key)), sealText(b.lockOf(y.Key)))
	}
	if c == 0 {
		c = strings.Compare(x.Name, y.Name)
	}
	if b.sortAsc {
		return c < 0
	}
	return c > 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (b *browser) updateInfo() {
	if !b.hasLoc {
		return
	}
	n := len(b.view)
	var s string
	switch {
	case len(b.all) == 0 && !b.more && !b.loading:
		s = lang.L("This folder is empty. Drop files here to upload them.")
	case n == len(b.all) && n == 1:
		s = lang.L("1 item")
	case n == len(b.all):
		s = lang.L("{{.N}} items", map[string]any{"N": n})
	default:
		s = lang.L("{{.N}} of {{.Total}} items match", map[string]any{"N": n, "Total": len(b.all)})
	}
	if b.more {
		s += " · " + lang.L("more in this folder")
		b.loadMore.Show()
	} else {
		b.loadMore.Hide()
	}
	// A click chooses a folder rather than opening it: say how to open it.
	if e, ok := b.selected(); ok && e.Folder {
		s += " · " + lang.L("double-click “{{.Name}}” to open it", map[string]any{"Name": e.Name})
	}
	b.info.SetText(s)
}

func (b *browser) updateCrumbs() {
	b.crumbs.Objects = nil
	if !b.hasLoc {
		b.crumbs.Refresh()
		return
	}
	add := func(label, prefix string) {
		loc := Location{Account: b.loc.Account, Bucket: b.loc.Bucket, Prefix: prefix}
		btn := widget.NewButton(label, func() { b.open(loc) })
		btn.Importance = widget.LowImportance
		if len(b.crumbs.Objects) > 0 {
			b.crumbs.Add(widget.NewLabel("›"))
		}
		b.crumbs.Add(btn)
	}
	add(b.loc.Bucket, "")
	prefix := ""
	for _, part := range strings.Split(strings.TrimSuffix(b.loc.Prefix, "/"), "/") {
		if part == "" {
			continue
		}
		prefix += part + "/"
		add(part, prefix)
	}
	b.crumbs.Refresh()
}

// --- the file list ---

func (b *browser) newHeader() *fyne.Container {
	mk := func(label string, col int) *widget.Button {
		btn := widget.NewButton(label, func() { b.sortBy(col) })
		btn.Alignment = widget.ButtonAlignLeading
		btn.Importance = widget.LowImportance
		return btn
	}
	return container.New(newFileColumns(),
		mk(lang.L("Name"), colName), mk(lang.L("Size"), colSize), mk(lang.L("Modified"), colModified),
		mk(lang.L("Locked with"), colLock), mk(lang.L("Tamper check"), colSeal))
}

// sortBy sorts by a column; the same column again reverses the order.
func (b *browser) sortBy(col int) {
	if b.sortCol == col {
		b.sortAsc = !b.sortAsc
	} else {
		b.sortCol, b.sortAsc = col, true
	}
	b.rebuildView()
}

func (b *browser) length() int { return len(b.view) }

func (b *browser) createRow() fyne.CanvasObject { return newFileRow(b) }

func (b *browser) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*fileRow)
	r.id = id
	if id >= len(b.view) {
		return
	}
	e := b.all[b.view[id]]
	if e.Folder {
		r.icon.SetResource(theme.FolderIcon())
		r.size.SetText("")
		r.modified.SetText("")
		r.lock.SetText("")
		r.seal.Importance = widget.MediumImportance
		r.seal.SetText("")
	} else {
		r.icon.SetResource(theme.FileIcon())
		r.size.SetText(humanBytes(e.Size))
		r.modified.SetText(e.Modified.Local().Format("2006-01-02 15:04"))
		l := b.checks.apply(b.loc, e.Key, b.locks.get(b.u.ctx, b.loc, e.Key))
		r.lock.SetText(lockText(l))
		r.seal.Importance = widget.MediumImportance
		if l.Seal == SealBroken {
			r.seal.Importance = widget.DangerImportance
		}
		r.seal.SetText(sealText(l))
	}
	r.name.SetText(e.Name)
	if id >= len(b.view)-prefetchRows && b.more && !b.loading {
		b.loadNextPage()
	}
}

// refreshKey redraws the row of one object after its lock arrived.
func (b *browser) refreshKey(loc Location, key string) {
	if loc != b.loc {
		return
	}
	for i, idx := range b.view {
		if b.all[idx].Key == key {
			b.list.RefreshItem(i)
			return
		}
	}
}

func (b *browser) lockText(e Entry) string {
	if e.Folder {
		return ""
	}
	// Sorting must not look up the whole folder: only what is known counts.
	return lockText(b.locks.peek(b.loc, e.Key))
}

// lockOf is what is known of an object in the folder on screen, without
// looking anything up, with the mark of a download that checked it.
func (b *browser) lockOf(key string) Lock {
	return b.checks.apply(b.loc, key, b.locks.peek(b.loc, key))
}

// lockText is the "Locked with" column in the user's words.
func lockText(l Lock) string {
	switch l.Kind {
	case LockMine, LockColleague, LockKMS:
		if l.KeyName == "" {
			return lang.L("one of my keys")
		}
		return l.KeyName
	case LockNotEncrypted:
		return lang.L("not encrypted")
	case LockKeyMissing:
		if l.KeyName != "" {
			return lang.L("{{.Name}}'s key, not on this computer", map[string]any{"Name": l.KeyName})
		}
		return lang.L("key not on this computer")
	}
	return "…"
}

// sealText is the "Tamper check" column, in four words that say what the
// user can rely on: "protected" (any change will be noticed on download),
// "intact" (a download checked it), "altered", and "not protected"
// (another app wrote it without the check). sealExplained says the same
// in a sentence.
func sealText(l Lock) string {
	switch l.Seal {
	case SealPresent:
		return lang.L("protected")
	case SealVerified:
		return "✓ " + lang.L("intact")
	case SealBroken:
		return "⚠ " + lang.L("altered")
	case SealAbsent, SealNotChecked:
		return lang.L("not protected")
	}
	return ""
}

// onSelected marks a file or a folder as the one the actions work on; a
// folder opens with a double click (openRow), as on the desktop.
func (b *browser) onSelected(id widget.ListItemID) {
	if id >= len(b.view) {
		return
	}
	b.sel = id
	b.updateActions()
	b.updateInfo()
}

// openRow opens the row's folder; for a file it only selects it.
func (b *browser) openRow(id widget.ListItemID) {
	if id >= len(b.view) {
		return
	}
	e := b.all[b.view[id]]
	if !e.Folder {
		b.list.Select(id)
		return
	}
	b.openFolder(e)
}

func (b *browser) openFolder(e Entry) {
	b.open(Location{Account: b.loc.Account, Bucket: b.loc.Bucket, Prefix: e.Key})
}

// selected returns the file or folder selected, if any.
func (b *browser) selected() (Entry, bool) {
	if b.sel < 0 || b.sel >= len(b.view) {
		return Entry{}, false
	}
	return b.all[b.view[b.sel]], true
}

func (b *browser) updateActions() {
	e, ok := b.selected()
	if ok {
		b.getBtn.Enable()
	} else {
		b.getBtn.Disable()
	}
	// Sharing and details are for one file at a time; a folder can be
	// deleted too.
	if ok {
		b.deleteBtn.Enable()
	} else {
		b.deleteBtn.Disable()
	}
	for _, btn := range []*widget.Button{b.shareBtn, b.detailsBtn} {
		if ok && !e.Folder {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
	for _, btn := range []*widget.Button{b.uploadBtn, b.newDirBtn, b.refreshBtn} {
		if b.hasLoc {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
}

// contextMenu is the right-click menu for a row.
func (b *browser) contextMenu(id widget.ListItemID) *fyne.Menu {
	b.list.Select(id)
	e, ok := b.selected()
	if !ok {
		return nil
	}
	if e.Folder {
		return fyne.NewMenu("",
			fyne.NewMenuItem(lang.L("Open"), func() { b.openFolder(e) }),
			fyne.NewMenuItem(lang.L("Download"), b.onDownload),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
		)
	}
	return fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Download"), b.onDownload),
		fyne.NewMenuItem(lang.L("Share…"), b.onShare),
		fyne.NewMenuItem(lang.L("Details"), b.onDetails),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.L("Delete"), b.onDelete),
	)
}

// --- "Encrypt for" ---

func (b *browser) setKeys(keys []Key) {
	prev := b.encryptForKey()
	b.keyChoices = map[string]string{}
	var opts []string
	labels := map[string]string{} // key name → label
	var prevKey *Key
	def, firstMine, firstKMS := "", "", ""
	for i, k := range keys {
		label := keyLabel(k)
		b.keyChoices[label] = k.Name
		labels[k.Name] = label
		opts = append(opts, label)
		if k.Name == prev {
			prevKey = &keys[i]
		}
		if k.Default {
			def = label
		}
		switch {
		case k.Kind == KeyMine && firstMine == "":
			firstMine = label
		case k.Kind == KeyKMS && firstKMS == "":
			firstKMS = label
		}
	}
	// "Encrypt for" only ever lands on someone else's key because the user
	// chose it there: picked by the app, a colleague's key would lock the
	// next uploads away from the person making them. So a key the user
	// chose stays, then the app's own earlier pick, then the default, then
	// a key of one's own; with none of those, nothing is chosen and an
	// upload asks for a choice.
	sel := ""
	switch {
	case b.chosenKey != "" && labels[b.chosenKey] != "":
		sel = labels[b.chosenKey]
	case prevKey != nil && prevKey.Kind != KeyColleague:
		sel = labels[prev]
	case def != "":
		sel = def
	case firstMine != "":
		sel = firstMine
	default:
		sel = firstKMS
	}
	b.settingKeys = true
	defer func() { b.settingKeys = false }()
	b.encryptFor.SetOptions(opts)
	b.encryptFor.PlaceHolder = lang.L("No key yet")
	if len(opts) > 0 {
		b.encryptFor.PlaceHolder = lang.L("Choose a key")
	}
	if sel != "" {
		b.encryptFor.SetSelected(sel)
	} else {
		b.encryptFor.ClearSelected()
	}
	b.encryptFor.Refresh()
}

// keyLabel names a key the way people think of it.
func keyLabel(k Key) string {
	switch k.Kind {
	case KeyMine:
		return lang.L("Me ({{.Name}})", map[string]any{"Name": k.Name})
	case KeyKMS:
		return lang.L("{{.Name}} (company key)", map[string]any{"Name": k.Name})
	}
	return k.Name
}

func (b *browser) encryptForKey() string { return b.keyChoices[b.encryptFor.Selected] }

// onEncryptForChanged warns that what is uploaded for a colleague can no
// longer be opened by the one who uploads it: a file dropped while their
// name is chosen, then deleted here, is out of reach for good.
func (b *browser) onEncryptForChanged(label string) {
	if !b.settingKeys {
		b.chosenKey = b.keyChoices[label]
	}
	warning := ""
	for _, k := range b.u.keys {
		if k.Name == b.keyChoices[label] && k.Kind == KeyColleague {
			warning = lang.L("Files you upload now can be opened only by {{.Name}}, not by you.", map[string]any{"Name": k.Name})
		}
	}
	switch {
	case warning != "":
		b.u.setStatus(warning)
	case b.encryptWarned != "" && b.u.status.Text == b.encryptWarned:
		b.u.setStatus("")
	}
	b.encryptWarned = warning
}

// --- actions ---

func (b *browser) onUploadMenu() {
	m := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("Files…"), func() {
			d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
				if err != nil || r == nil {
					return
				}
				r.Close()
				b.uploadPaths([]string{r.URI().Path()})
			}, b.u.win)
			d.Show()
		}),
		fyne.NewMenuItem(lang.L("A folder…"), func() {
			d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
				if err != nil || l == nil {
					return
				}
				b.uploadPaths([]string{l.Path()})
			}, b.u.win)
			d.Show()
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
	b.upload(UploadRequest{Paths: paths, Dest: b.loc, KeyFor: keyFor})
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
		args := map[string]any{"N": len(ids), "Key": b.encryptFor.Selected}
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
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(lang.L("Cancel"), d.Hide), replace, keep})
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
	d := dialog.NewConfirm(lang.L("Delete file"), msg, func(yes bool) {
		if yes {
			b.deleteEntry(e)
		}
	}, b.u.win)
	// The buttons say what they do, and the one that destroys is red
	// rather than the inviting blue of "Yes".
	d.SetConfirmText(lang.L("Delete"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	b.u.showConfirm(d)
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
