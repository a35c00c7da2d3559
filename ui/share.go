package ui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// shareDurations are the link lifetimes offered, shortest first.
var shareDurations = []struct {
	label string
	d     time.Duration
}{
	{"1 hour", time.Hour},
	{"1 day", 24 * time.Hour},
	{"7 days", 7 * 24 * time.Hour},
}

// sharing is "Share with…" and "Open a shared link".
type sharing struct {
	u *appUI

	// The share form, kept for tests.
	with    *keySelect
	expires *keySelect
	link    *widget.Entry
	message *widget.Label
	busy    *widget.Activity
	// bar shows how far locking a copy for the colleague has got, and
	// stopBtn stops it.
	bar     *widget.ProgressBar
	stopBtn *keyButton
	makeBtn *keyButton
	choices map[string]string
	// stop cancels the link being made; nil when none is.
	stop context.CancelFunc

	// The open-link form.
	pasted  *keyEntry
	openMsg *widget.Label

	// copiesOffered: this start already asked about expired copies.
	copiesOffered bool
}

func newSharing(u *appUI) *sharing { return &sharing{u: u} }

// showShare asks who to share a file with, then makes and copies the link.
func (s *sharing) showShare(loc Location, e Entry) {
	s.choices = map[string]string{}
	var opts []string
	for _, k := range s.u.keys {
		if k.Kind == KeyMine {
			// A file is shared with someone else: a link for oneself
			// is what "Copy link" of one's own file would be, and
			// listing "Me" among colleagues only misleads.
			continue
		}
		label := keyLabel(k)
		s.choices[label] = k.Name
		opts = append(opts, label)
	}
	s.with = s.u.newKeySelect(opts)
	s.with.PlaceHolder = lang.L("Choose a colleague")
	durations := make([]string, len(shareDurations))
	for i, d := range shareDurations {
		durations[i] = lang.L(d.label)
	}
	s.expires = s.u.newKeySelect(durations)
	s.expires.SetSelectedIndex(1)
	s.link = widget.NewEntry()
	s.link.Disable()
	s.message = widget.NewLabel(lang.L("Only the person you choose can open the file, on a computer with their key. The link stops working when it expires."))
	s.message.Wrapping = textWrap()
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.bar = widget.NewProgressBar()
	s.bar.Hide()
	s.stopBtn = s.u.newKeyButton(lang.L("Stop"), s.onStop)
	s.stopBtn.Hide()
	var d *dialog.CustomDialog
	s.makeBtn = s.u.newKeyButton(lang.L("Copy link"), func() { s.makeLink(loc, e) })
	s.makeBtn.Importance = widget.HighImportance
	if len(opts) == 0 {
		s.message.SetText(lang.L("To share a file, first add a colleague's key on the Keys screen."))
		s.makeBtn.Disable()
	}
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Share with"), s.with),
		widget.NewFormItem(lang.L("Link works for"), s.expires),
		widget.NewFormItem(lang.L("Link"), s.link),
	)
	d = dialog.NewCustomWithoutButtons(lang.L("Share “{{.Name}}”", map[string]any{"Name": e.Name}),
		container.NewVBox(form, container.NewBorder(nil, nil, s.busy, nil, s.message),
			container.NewBorder(nil, nil, nil, s.stopBtn, s.bar), s.makeBtn), s.u.win)
	// Its own Close, as NewCustom's would be, that takes Esc too.
	d.SetButtons([]fyne.CanvasObject{s.u.newKeyButton(lang.L("Close"), d.Hide)})
	d.Resize(fyne.NewSize(560, 320))
	d.Show()
	// Esc closes; Enter is left to the form (it would otherwise close the
	// dialog before the link is made).
	s.u.answerKeys(nil, d.Dismiss)
}

// makeLink locks the file for the chosen colleague if needed, makes the
// link and puts it on the clipboard.
func (s *sharing) makeLink(loc Location, e Entry) {
	forKey := s.choices[s.with.Selected]
	if forKey == "" {
		s.message.SetText(lang.L("Choose who to share it with."))
		return
	}
	expires := shareDurations[max(s.expires.SelectedIndex(), 0)].d
	// Locking a copy of a large file for the colleague reads and writes
	// all of it, which takes a while: say so, with a spinner, when the file
	// is known to be locked for someone else.
	who := s.with.Selected
	msg := lang.L("Preparing the link…")
	if l := s.u.browser.locks.peek(loc, e.Key); l.Kind != LockUnknown && l.KeyName != forKey {
		msg = lang.L("Locking a copy for {{.Who}}… a large file takes a while.", map[string]any{"Who": who})
	}
	s.message.SetText(msg)
	// This form's widgets: the dialog may be opened again meanwhile.
	w := linkWidgets{busy: s.busy, bar: s.bar, stopBtn: s.stopBtn, btn: s.makeBtn, message: s.message}
	w.busy.Show()
	w.busy.Start()
	w.bar.SetValue(0)
	w.stopBtn.Enable()
	w.stopBtn.Show()
	// A second click meanwhile would start the same work over.
	w.btn.Disable()
	ctx, cancel := context.WithCancel(s.u.ctx)
	s.stop = cancel
	progress := s.copyProgress(ctx, w, who)
	goDo(s.u, func(context.Context) (Shared, error) {
		return s.u.be.Sharing().Share(ctx, loc, e.Key, forKey, expires, progress)
	}, func(shared Shared, err error) {
		// A link made just as Stop was pressed stands: its copy is there.
		stopped := err != nil && ctx.Err() != nil
		cancel()
		if s.message == w.message {
			s.stop = nil
		}
		w.done()
		switch {
		case stopped:
			w.message.SetText(lang.L("Stopped. No copy was made and no link was copied."))
		case err != nil:
			w.message.SetText(s.u.explain(err))
		default:
			s.linkMade(e, shared)
		}
	})
}

// linkWidgets are the parts of one share form that making a link changes.
type linkWidgets struct {
	busy         *widget.Activity
	bar          *widget.ProgressBar
	stopBtn, btn *keyButton
	message      *widget.Label
}

// done puts the form back as it was before the link was asked for.
func (w linkWidgets) done() {
	w.btn.Enable()
	w.busy.Stop()
	w.busy.Hide()
	w.bar.Hide()
	w.stopBtn.Hide()
}

// copyProgress is the progress of locking a copy for who, on w's bar. The
// bar moves by whole percents: the engine reports every few kilobytes, far
// more often than the window needs redrawing. It may be called from
// several goroutines at once.
func (s *sharing) copyProgress(ctx context.Context, w linkWidgets, who string) func(done, total int64) {
	var lastPct atomic.Int64
	lastPct.Store(-1)
	return func(done, total int64) {
		if total <= 0 {
			return
		}
		pct := min(max(done, 0)*100/total, 100)
		if lastPct.Swap(pct) == pct {
			return
		}
		s.u.do(func() {
			if ctx.Err() != nil {
				return
			}
			w.busy.Stop()
			w.busy.Hide()
			w.bar.Show()
			w.bar.SetValue(float64(pct) / 100)
			w.message.SetText(lang.L("Locking a copy for {{.Who}}… {{.Percent}}%", map[string]any{"Who": who, "Percent": pct}))
		})
	}
}

// linkMade shows the link, puts it on the clipboard and says what it opens.
func (s *sharing) linkMade(e Entry, shared Shared) {
	s.link.SetText(shared.Link)
	s.u.app.Clipboard().SetContent(shared.Link)
	msg := lang.L("The link is copied. Paste it into an email or a chat. It works for {{.Time}}.",
		map[string]any{"Time": s.expires.Selected})
	if shared.Key != "" && shared.Key != e.Key {
		// A copy was stored, out of the folder's sight: say so, and
		// that it does not stay for good.
		msg += "\n" + lang.L("{{.Who}} gets a copy locked for them, kept out of sight in the storage. When the link expires, the app offers to remove it.",
			map[string]any{"Who": s.with.Selected})
	}
	s.message.SetText(msg)
	// The dialog may have been closed while a large copy was locked:
	// the status line says the link is on the clipboard all the same.
	s.u.setStatus(lang.L("The link to “{{.Name}}” for {{.Who}} is copied.",
		map[string]any{"Name": e.Name, "Who": s.with.Selected}))
}

// onStop stops the link being made; Share leaves no partial copy.
func (s *sharing) onStop() {
	if s.stop != nil {
		s.stop()
		s.stopBtn.Disable()
		s.message.SetText(lang.L("Stopping…"))
	}
}

// showOpenLink takes a pasted link and downloads and decrypts it.
func (s *sharing) showOpenLink() {
	s.pasted = s.u.newKeyMultiLine()
	s.pasted.SetPlaceHolder(lang.L("Paste the link you were sent"))
	s.pasted.Wrapping = fyne.TextWrapBreak
	saveIn := lang.L("The file will be saved in {{.Dir}}.", map[string]any{"Dir": s.u.prefs.downloadDir()})
	s.openMsg = widget.NewLabel(saveIn)
	s.openMsg.Wrapping = textWrap()
	// The box's own mark of what is wrong shows only once it loses focus:
	// the sentence below it says so as soon as something is typed or
	// pasted.
	s.pasted.OnChanged = func(v string) {
		if strings.TrimSpace(v) != "" && !isLink(v) {
			s.openMsg.SetText(s.u.explain(errNotALink))
		} else {
			s.openMsg.SetText(saveIn)
		}
	}
	// Download waits for something that is a link: pressing it on other
	// text closed the dialog and threw away what was pasted.
	s.pasted.Validator = func(v string) error {
		if !isLink(v) {
			return errors.New(s.u.explain(errNotALink))
		}
		return nil
	}
	d := s.u.newForm(lang.L("Open a shared link"), lang.L("Download"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem("", s.pasted), widget.NewFormItem("", s.openMsg)}, func(ok bool) {
			if ok {
				s.openLink(s.pasted.Text)
			}
		})
	d.Resize(fyne.NewSize(560, 280))
	s.u.showForm(d)
}

// isLink says whether pasted text is a web link, as a shared link is.
func isLink(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func (s *sharing) openLink(link string) {
	link = strings.TrimSpace(link)
	if !isLink(link) {
		s.u.showError(errNotALink)
		return
	}
	dir := s.u.prefs.downloadDir()
	goDo(s.u, func(ctx context.Context) (JobID, error) {
		return s.u.be.Sharing().OpenLink(ctx, link, dir)
	}, func(id JobID, err error) {
		if err != nil {
			s.u.showError(err)
			return
		}
		s.u.transfers.track([]JobID{id}, lang.L("Downloading the shared file to {{.Dir}}…", map[string]any{"Dir": dir}), savedText)
	})
}
