package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Colleagues who use the same storage publish their contact cards in its
// bucket (app.CardsPrefix). The dialog lists them against the keys here:
// a newcomer can be added, and is then unverified until the codes are
// compared; a card in a known colleague's name with another key is an
// alarm, and nothing replaces the key already known.

// onCards lists the cards of the bucket open in Files.
func (s *keysScreen) onCards() {
	b := s.u.browser
	if !b.hasLoc {
		s.message.SetText(lang.L("Open a folder of the storage on the Files screen first: colleagues' cards are kept in its bucket."))
		return
	}
	loc := Location{Account: b.loc.Account, Bucket: b.loc.Bucket}
	type listed struct {
		cards      []SeenCard
		unreadable int
	}
	goDo(s.u, func(ctx context.Context) (listed, error) {
		cards, n, err := s.u.be.Keys().Cards(ctx, loc)
		return listed{cards, n}, err
	}, func(l listed, err error) {
		if err != nil {
			s.message.SetText(s.u.explain(err))
			return
		}
		s.showCards(loc, l.cards, l.unreadable)
	})
}

func (s *keysScreen) showCards(loc Location, cards []SeenCard, unreadable int) {
	var d dialog.Dialog
	rows := container.NewVBox()
	if len(cards) == 0 {
		rows.Add(widget.NewLabel(lang.L("Nobody has published a card in “{{.Bucket}}” yet.", map[string]any{"Bucket": loc.Bucket})))
	}
	for _, c := range cards {
		rows.Add(s.cardRow(c, func() { d.Hide() }))
	}
	if unreadable > 0 {
		rows.Add(widget.NewLabel(lang.L("{{.N}} other files there are not cards, and are left out.", map[string]any{"N": unreadable})))
	}
	publish := widget.NewButton(lang.L("Publish my card here"), func() {
		d.Hide()
		s.askPublish(loc)
	})
	if s.myKey() == nil {
		publish.Disable()
	}
	intro := widget.NewLabel(lang.L("Anyone who can write to this storage can publish a card in any name: compare the codes with the person before you rely on a key."))
	intro.Wrapping = textWrap()
	body := container.NewBorder(intro, publish, nil, nil, container.NewVScroll(rows))
	d = s.u.newCustom(lang.L("Colleagues on this storage"), lang.L("Close"), body)
	d.Resize(fyne.NewSize(600, 420))
	d.Show()
	s.u.answerKeys(nil, d.Hide)
}

// cardRow is one card: who, the key's code, and what it is to me.
func (s *keysScreen) cardRow(c SeenCard, close func()) fyne.CanvasObject {
	who := widget.NewLabel(lang.L("{{.Name}} · code {{.Code}}", map[string]any{"Name": c.Name, "Code": c.Fingerprint}))
	who.Wrapping = textWrap()
	switch c.Kind {
	case CardMine:
		return container.NewBorder(nil, nil, nil, widget.NewLabel(lang.L("you")), who)
	case CardKnown:
		return container.NewBorder(nil, nil, nil, widget.NewLabel(lang.L("✓ in your keys as {{.Name}}", map[string]any{"Name": c.Known})), who)
	case CardChanged:
		alarm := widget.NewLabel(lang.L("⚠ The key published for {{.Name}} changed. Do not use it until you have compared codes with {{.Name}}.", map[string]any{"Name": c.Known}))
		alarm.Importance = widget.DangerImportance
		alarm.Wrapping = textWrap()
		return container.NewVBox(who, alarm)
	default:
		add := widget.NewButton(lang.L("Add"), func() {
			close()
			s.addColleague(c.Name, c.PEM)
		})
		if s.hasKeyNamed(c.Name) {
			add.Disable() // the name is taken by a key of another kind
		}
		return container.NewBorder(nil, nil, nil, add, who)
	}
}

func (s *keysScreen) hasKeyNamed(name string) bool {
	for _, r := range s.rows {
		if r.key != nil && strings.EqualFold(r.key.Name, name) {
			return true
		}
	}
	return false
}

// askPublish asks for the name colleagues know me by, then publishes.
func (s *keysScreen) askPublish(loc Location) {
	k := s.myKey()
	if k == nil {
		return
	}
	name := s.u.newKeyEntry()
	name.SetPlaceHolder(lang.L("Your name, as colleagues know you"))
	name.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(s.u.explain(errEmptyName))
		}
		return nil
	}
	d := s.u.newForm(lang.L("Publish my card here"), lang.L("Publish"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Name"), name)}, func(ok bool) {
			if !ok {
				return
			}
			n := strings.TrimSpace(name.Text)
			s.run(lang.L("Publishing your card…"), lang.L("Your card is published in “{{.Bucket}}”: colleagues who use it can add you.", map[string]any{"Bucket": loc.Bucket}),
				func(ctx context.Context) error { return s.u.be.Keys().PublishCard(ctx, loc, k.Name, n) })
		})
	d.Resize(fyne.NewSize(480, 0))
	s.u.showForm(d)
}
