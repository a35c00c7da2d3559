package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The browser's sidebar: the accounts and, under each, its buckets.

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
	l := widget.NewLabel("")
	// Past sidebarMaxWidth a name says it is cut; below it the sidebar
	// is as wide as its longest name (sidebarLayout).
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, widget.NewIcon(nil), nil, l)
}

// sidebarMaxWidth is the widest the sidebar makes itself for a long name:
// past it, the files would lose too much room at 800 pixels.
const sidebarMaxWidth = 280

// sidebarLayout makes the sidebar at least as wide as its longest account
// or bucket name needs, up to sidebarMaxWidth: a fixed share of the window
// cut "このコンピューター" off in the middle, under the divider.
type sidebarLayout struct{ b *browser }

func (l sidebarLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	layout.NewStackLayout().Layout(objs, size)
}

func (l sidebarLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := layout.NewStackLayout().MinSize(objs)
	return fyne.NewSize(max(m.Width, l.b.sidebarWidth()), m.Height)
}

// sidebarWidth is the width the longest name in the sidebar needs: the
// tree's indent and icons, and the label's padding, beside the text.
func (b *browser) sidebarWidth() float32 {
	size, pad := theme.TextSize(), theme.Padding()
	icon, inner := theme.IconInlineSize(), 2*theme.InnerPadding()
	// An account's row: the branch's arrow and the account's icon.
	account := icon + pad + icon + pad + inner
	bucket := account + icon + pad // one level deeper
	w := float32(0)
	for _, a := range b.accounts {
		w = max(w, fyne.MeasureText(accountName(a), size, fyne.TextStyle{}).Width+account)
		for _, bk := range b.buckets[a.Name] {
			w = max(w, fyne.MeasureText(bk, size, fyne.TextStyle{}).Width+bucket)
		}
	}
	return min(w+2*pad, sidebarMaxWidth)
}

func (b *browser) updateNode(uid widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	label, icon := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Icon)
	if branch {
		name := strings.TrimPrefix(uid, "a:")
		icon.SetResource(theme.StorageIcon())
		label.SetText(name)
		for _, a := range b.accounts {
			if a.Name == name && a.Local {
				icon.SetResource(theme.ComputerIcon())
				label.SetText(accountName(a))
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
		b.content.Refresh() // the sidebar's width follows its names
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
		b.content.Refresh()
		if !b.hasLoc && len(bs) > 0 {
			b.sidebar.Select("b:" + account + "\x00" + bs[0])
		}
	})
}

// accountName is an account's name on screen. The local store's name is
// data, stored in English; on screen it is the user's own words.
func accountName(a Account) string {
	if a.Local {
		return lang.L("This computer")
	}
	return a.Name
}
