package ui

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// "Also for…": more people an upload is locked for, beside the key chosen
// in "Encrypt for". One file, one data key, wrapped for each of them: the
// payroll goes to Bob and Carol as one object, not one per person.

// newAlsoFor makes the button that chooses them.
func (b *browser) newAlsoFor() *widget.Button {
	b.alsoForBtn = widget.NewButtonWithIcon("", theme.AccountIcon(), b.onAlsoFor)
	return b.alsoForBtn
}

// alsoForKeys are the further keys of the next upload, without the one
// chosen in "Encrypt for" and without keys that are gone.
func (b *browser) alsoForKeys() []string {
	first := b.encryptForKey()
	var out []string
	for _, name := range b.alsoFor {
		if name != first && slices.ContainsFunc(b.u.keys, func(k Key) bool { return k.Name == name }) {
			out = append(out, name)
		}
	}
	return out
}

// showAlsoFor puts how many more people there are on the button (the
// names would widen the toolbar past a small window; the status line names
// them), so that nobody uploads for more people than they think.
func (b *browser) showAlsoFor() {
	n := len(b.alsoForKeys())
	if n == 0 {
		b.alsoForBtn.SetText("")
		return
	}
	b.alsoForBtn.SetText("+" + strconv.Itoa(n))
}

// onAlsoFor asks for the further people, one box each: every key but the
// one chosen in "Encrypt for".
func (b *browser) onAlsoFor() {
	first := b.encryptForKey()
	chosen := map[string]bool{}
	for _, n := range b.alsoForKeys() {
		chosen[n] = true
	}
	var boxes []fyne.CanvasObject
	checks := map[string]*widget.Check{}
	for _, k := range b.u.keys {
		if k.Name == first {
			continue
		}
		name := k.Name
		c := b.u.newKeyCheck(keyLabel(k), func(on bool) { chosen[name] = on })
		c.SetChecked(chosen[name])
		checks[name] = &c.Check
		boxes = append(boxes, c)
	}
	if len(boxes) == 0 {
		b.u.showNotice(b.u.newInfo(lang.L("Also for…"),
			lang.L("There is nobody else to lock files for yet. Add a colleague's key on Keys first.")))
		return
	}
	intro := widget.NewLabel(lang.L("Files you upload are locked for the key in “Encrypt for” and for everyone ticked here. Each of them opens the same file with their own key."))
	intro.Wrapping = textWrap()
	top := container.NewVBox(intro)
	if groups := b.groupButtons(checks); len(groups) > 0 {
		top.Add(container.NewHScroll(container.NewHBox(groups...)))
	}
	save := b.u.newKeyButton(lang.L("Save as a group…"), func() { b.saveGroup(chosen) })
	save.Icon = theme.DocumentSaveIcon()
	body := container.NewBorder(top, save, nil, nil, container.NewVScroll(container.NewVBox(boxes...)))
	d := b.u.newCustomConfirm(lang.L("Also lock for"), body, func(ok bool) {
		if !ok {
			return
		}
		b.alsoFor = b.alsoFor[:0]
		for _, k := range b.u.keys {
			if chosen[k.Name] && k.Name != first {
				b.alsoFor = append(b.alsoFor, k.Name)
			}
		}
		b.lockedForChanged()
	})
	d.SetConfirmText(lang.L("Done"))
	d.SetDismissText(lang.L("Cancel"))
	d.Resize(fyne.NewSize(460, 360))
	b.u.showConfirm(d)
}

// lockedForText names everyone an upload is locked for, as the status
// line says it.
func (b *browser) lockedForText() string {
	names := []string{b.encryptFor.Selected}
	for _, n := range b.alsoForKeys() {
		for _, k := range b.u.keys {
			if k.Name == n {
				names = append(names, keyLabel(k))
			}
		}
	}
	return strings.Join(names, ", ")
}

// groupButtons are the saved groups, each ticking its members that have a
// box (a member whose key is gone, or who is in "Encrypt for", has none).
func (b *browser) groupButtons(checks map[string]*widget.Check) []fyne.CanvasObject {
	names := slices.Sorted(maps.Keys(b.u.prefs.Groups))
	var out []fyne.CanvasObject
	for _, g := range names {
		members := b.u.prefs.Groups[g]
		btn := b.u.newKeyButton(g, func() {
			for _, m := range members {
				if c := checks[m]; c != nil {
					c.SetChecked(true)
				}
			}
		})
		btn.Icon = theme.AccountIcon()
		out = append(out, btn)
	}
	return out
}

// saveGroup saves the people ticked as a group, under a name asked for;
// a name already saved is replaced.
func (b *browser) saveGroup(chosen map[string]bool) {
	var members []string
	for _, k := range b.u.keys {
		if chosen[k.Name] {
			members = append(members, k.Name)
		}
	}
	if len(members) == 0 {
		b.u.showNotice(b.u.newInfo(lang.L("Save as a group…"), lang.L("Tick the people who belong to the group first.")))
		return
	}
	askName(b.u, lang.L("Save as a group"), "", func(name string) {
		if b.u.prefs.Groups == nil {
			b.u.prefs.Groups = map[string][]string{}
		}
		b.u.prefs.Groups[name] = members
		b.u.savePrefs()
		b.u.setStatus(lang.L("The group “{{.Name}}” is saved: {{.Members}}.", map[string]any{"Name": name, "Members": strings.Join(members, ", ")}))
	})
}
