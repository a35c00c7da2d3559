package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// "Encrypt for": the key that uploads are locked for.

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
	if b.alsoForBtn != nil {
		b.showAlsoFor() // a key removed leaves the list
	}
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
	if b.keyLine != nil {
		b.keyLine.Refresh()
	}
	b.lockedForChanged()
}

// lockedForChanged names the further people on "Also for…" and warns, on
// the status line, when nobody an upload is locked for is me: then only
// colleagues can open what I upload.
func (b *browser) lockedForChanged() {
	if b.alsoForBtn != nil {
		b.showAlsoFor()
	}
	names := append([]string{b.encryptForKey()}, b.alsoForKeys()...)
	var colleagues []string
	mine := false
	for _, name := range names {
		for _, k := range b.u.keys {
			if k.Name != name {
				continue
			}
			if k.Kind == KeyColleague {
				colleagues = append(colleagues, k.Name)
			} else {
				mine = true
			}
		}
	}
	warning := ""
	if !mine && len(colleagues) > 0 {
		warning = lang.L("Files you upload now can be opened only by {{.Name}}, not by you.", map[string]any{"Name": strings.Join(colleagues, ", ")})
	}
	switch {
	case warning != "":
		b.u.setStatus(warning)
	case b.encryptWarned != "" && b.u.status.Text == b.encryptWarned:
		b.u.setStatus("")
	}
	b.encryptWarned = warning
}

// keyFilterLayout puts "Encrypt for" (objects[0]) and the name filter
// (objects[1]) on one line. The key's row takes what it needs to show the
// chosen key whole, up to all but the filter's least width: half the
// line each cut "自分（My key）" to "自分（My ke…" at 800 pixels, and which
// key a file is locked for is not a thing to guess.
type keyFilterLayout struct{ b *browser }

// filterLeast is the narrowest the name filter gets.
const filterLeast = 160

func (l keyFilterLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	keys, filter := objs[0], objs[1]
	pad := theme.Padding()
	w := max(size.Width/2, min(l.keysWidth(keys), size.Width-filterLeast-pad))
	keys.Move(fyne.NewPos(0, 0))
	keys.Resize(fyne.NewSize(w, size.Height))
	filter.Move(fyne.NewPos(w+pad, 0))
	filter.Resize(fyne.NewSize(size.Width-w-pad, size.Height))
}

func (l keyFilterLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+theme.Padding()+max(b.Width, filterLeast), max(a.Height, b.Height))
}

// keysWidth is the width the key's row needs for the chosen key's name
// beside its label and button.
func (l keyFilterLayout) keysWidth(keys fyne.CanvasObject) float32 {
	sel := l.b.encryptFor
	text := fyne.MeasureText(sel.Selected, theme.TextSize(), fyne.TextStyle{}).Width
	// The select draws its text and its arrow inside its padding.
	need := text + theme.IconInlineSize() + 4*theme.InnerPadding() + 2*theme.Padding()
	return keys.MinSize().Width - sel.MinSize().Width + max(need, sel.MinSize().Width)
}
