package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func overlayLabels(u *appUI) string {
	var out []string
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// The bucket's cards, each as what it is to me: mine, known, an alarm for
// a known name with another key, and a newcomer to add, who is added
// unverified. Publishing asks for my name and publishes my key's card.
func TestCardsOnThisStorage(t *testing.T) {
	f := readyFake()
	pem := []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
	f.cards = []SeenCard{
		{Kind: CardMine, Known: "My key"},
		{Kind: CardKnown, Known: "Bob"},
		{Kind: CardChanged, Known: "Bob"},
		{Kind: CardNew},
	}
	for i, name := range []string{"Me", "Bob", "Bob", "Erin Wu"} {
		f.cards[i].Name, f.cards[i].Fingerprint, f.cards[i].PEM = name, "F00"+string(rune('0'+i)), pem
	}
	f.badCards = 2
	u := startMain(t, f)
	s := u.keysView
	u.do(s.onCards)
	u.wait()
	said := ""
	u.do(func() { said = overlayLabels(u) })
	for _, want := range []string{
		"Me · code F000", "you",
		"✓ in your keys as Bob",
		"⚠ The key published for Bob changed. Do not use it until you have compared codes with Bob.",
		"Erin Wu · code F003",
		"2 other files there are not cards, and are left out.",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("the dialog does not say %q:\n%s", want, said)
		}
	}
	u.do(func() {
		for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
			if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "⚠") && l.Importance != widget.DangerImportance {
				t.Error("the alarm is not in red")
			}
		}
	})
	u.do(func() { test.Tap(overlayButton(t, u, "Add")) })
	u.wait()
	var erin *Key
	u.do(func() {
		for i := range f.keys {
			if f.keys[i].Name == "Erin Wu" {
				erin = &f.keys[i]
			}
		}
	})
	if erin == nil || erin.Kind != KeyColleague || erin.Compared {
		t.Fatalf("Add gave %+v, want Erin's key, not yet compared", erin)
	}

	u.do(s.onCards)
	u.wait()
	u.do(func() { test.Tap(overlayButton(t, u, "Publish my card here")) })
	u.wait()
	u.do(func() {
		es := overlayEntries(u)
		if len(es) != 1 {
			t.Fatalf("the publish form has %d boxes", len(es))
		}
		test.Type(es[0], "Alice Chen")
		test.Tap(overlayButton(t, u, "Publish"))
	})
	u.wait()
	if !slices.Contains(f.published, "demo/My key/Alice Chen") {
		t.Fatalf("published %v", f.published)
	}
}
