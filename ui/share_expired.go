package ui

import (
	"context"
	"path"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
)

// Copies made for sharing stay in the bucket after their link is over.
// Once per start the app asks to remove those that expired since it last
// asked; the originals are not touched.

// offerExpiredCopies asks, once per start, whether to remove them.
func (s *sharing) offerExpiredCopies() {
	if s.copiesOffered {
		return
	}
	s.copiesOffered = true
	since := s.u.prefs.CopiesAsked
	goDo(s.u, func(ctx context.Context) ([]SharedCopy, error) {
		cs, err := s.u.be.Sharing().ExpiredCopies(ctx)
		var fresh []SharedCopy
		for _, c := range cs {
			if c.Expires.After(since) {
				fresh = append(fresh, c)
			}
		}
		return fresh, err
	}, func(cs []SharedCopy, err error) {
		if err != nil || len(cs) == 0 {
			return
		}
		s.askRemoveCopies(cs)
	})
}

func (s *sharing) askRemoveCopies(cs []SharedCopy) {
	var names []string
	for i, c := range cs {
		if i == 3 {
			names = append(names, "…")
			break
		}
		// A copy keeps the file's name: whom it was for tells it apart.
		names = append(names, lang.L("“{{.Name}}” for {{.Who}}", map[string]any{"Name": path.Base(c.Key), "Who": c.For}))
	}
	msg := lang.L("The links to {{.N}} copies you made for sharing have expired: {{.Names}}. Remove the copies from the storage? The original files stay as they are.",
		map[string]any{"N": len(cs), "Names": strings.Join(names, ", ")})
	if len(cs) == 1 {
		msg = lang.L("The link to a copy you made for sharing has expired: {{.Names}}. Remove the copy from the storage? The original file stays as it is.",
			map[string]any{"Names": names[0]})
	}
	d := s.u.confirmDanger(lang.L("Remove expired shared copies?"), msg, lang.L("Remove"), func() {
		goDo(s.u, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.u.be.Sharing().RemoveCopies(ctx, cs)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.u.showError(err)
				return
			}
			s.u.setStatus(lang.L("The expired shared copies are removed."))
			if b := s.u.browser; b.hasLoc {
				b.refresh()
			}
		})
	})
	d.SetDismissText(lang.L("Keep them"))
	// Answered either way, these are not asked about again.
	d.SetOnClosed(func() {
		s.u.prefs.CopiesAsked = time.Now()
		s.u.savePrefs()
	})
}
