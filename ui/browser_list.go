package ui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// The folder on screen: opening it, its pages, the filter and the sort,
// the breadcrumbs and the line under the list.

func (b *browser) showNoLocation() {
	b.drop.show(false)
	b.info.SetText(lang.L("Choose a bucket on the left."))
	b.updateCrumbs()
	b.updateActions()
}

// open shows a folder, fetching its first page.
func (b *browser) open(loc Location) {
	b.loc, b.hasLoc = loc, true
	b.gen++
	b.all, b.view, b.next, b.more, b.loading = nil, nil, "", true, false
	b.sel.reset()
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
		b.selectReselect()
		signalReady()
	})
}

// rebuildView applies the filter and the sort to what is loaded.
func (b *browser) rebuildView() {
	// The selection follows its files to their new places.
	oldKey := map[int]string{}
	for _, i := range b.sel.marked() {
		if i < len(b.view) {
			oldKey[i] = b.all[b.view[i]].Key
		}
	}
	f := strings.ToLower(strings.TrimSpace(b.filter.Text))
	b.view = b.view[:0]
	for i, e := range b.all {
		if f == "" || strings.Contains(strings.ToLower(e.Name), f) {
			b.view = append(b.view, i)
		}
	}
	sort.SliceStable(b.view, func(i, j int) bool { return b.less(b.all[b.view[i]], b.all[b.view[j]]) })
	if len(oldKey) > 0 {
		newRow := make(map[string]int, len(oldKey))
		for _, k := range oldKey {
			newRow[k] = -1
		}
		for i, idx := range b.view {
			if _, ok := newRow[b.all[idx].Key]; ok {
				newRow[b.all[idx].Key] = i
			}
		}
		b.sel.remap(func(old int) int {
			if k, ok := oldKey[old]; ok {
				return newRow[k]
			}
			return -1
		})
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
	empty := len(b.all) == 0 && !b.more && !b.loading
	b.drop.show(empty)
	var s string
	switch {
	case empty:
		// The drop zone over the list says so, in large print.
		s = ""
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
	if n := b.sel.count(); n > 1 {
		s += " · " + lang.L("{{.N}} selected", map[string]any{"N": n})
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

func (b *browser) newHeader() *fyne.Container {
	mk := func(label string, col int) *widget.Button {
		btn := widget.NewButton(label, func() { b.sortBy(col) })
		btn.Alignment = widget.ButtonAlignLeading
		btn.Importance = widget.LowImportance
		return btn
	}
	b.headBtns = []*widget.Button{mk(lang.L("Name"), colName), mk(lang.L("Size"), colSize), mk(lang.L("Modified"), colModified),
		mk(lang.L("Locked with"), colLock), mk(lang.L("Tamper check"), colSeal)}
	objs := make([]fyne.CanvasObject, len(b.headBtns))
	for i, btn := range b.headBtns {
		objs[i] = btn
	}
	return container.New(newFileColumns(b.colWidths), objs...)
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
