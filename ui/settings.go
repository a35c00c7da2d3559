package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settingsScreen holds the app's settings; each change is saved at once.
type settingsScreen struct {
	u       *appUI
	content fyne.CanvasObject

	language    *widget.Select
	parallel    *widget.Select
	downloadDir *widget.Entry
	browseBtn   *widget.Button
	defaultKey  *widget.Select
	message     *widget.Label
	aboutBtn    *widget.Button
	// strict holds one "only accept files protected by ossvault" check
	// per storage account.
	strict *fyne.Container

	keyChoices map[string]string
}

func newSettingsScreen(u *appUI) *settingsScreen {
	s := &settingsScreen{u: u}
	names := make([]string, len(languages))
	for i, l := range languages {
		names[i] = l.Name
		if i == 0 {
			names[i] = lang.L(l.Name)
		}
	}
	s.language = widget.NewSelect(names, nil)
	for i, l := range languages {
		if l.Code == u.prefs.Language {
			s.language.SetSelectedIndex(i)
		}
	}
	s.language.OnChanged = func(string) { s.onLanguage(languages[s.language.SelectedIndex()].Code) }

	counts := make([]string, maxParallel)
	for i := range counts {
		counts[i] = strconv.Itoa(i + 1)
	}
	s.parallel = widget.NewSelect(counts, nil)
	s.parallel.SetSelectedIndex(u.prefs.parallel() - 1)
	s.parallel.OnChanged = func(string) { s.onParallel(s.parallel.SelectedIndex() + 1) }

	s.downloadDir = widget.NewEntry()
	s.downloadDir.SetText(u.prefs.downloadDir())
	s.downloadDir.OnSubmitted = s.onDownloadDir
	s.browseBtn = widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), func() {
		u.pick.openFolder(lang.L("Choose the download folder"), s.onDownloadDir)
	})

	s.defaultKey = widget.NewSelect(nil, nil)
	s.defaultKey.PlaceHolder = lang.L("No key yet")
	s.message = widget.NewLabel("")
	s.message.Wrapping = textWrap()

	themeNote := widget.NewLabel(lang.L("Light or dark follows this computer's setting."))
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Language"), s.language),
		widget.NewFormItem(lang.L("Appearance"), themeNote),
		widget.NewFormItem(lang.L("Transfers at once"), s.parallel),
		widget.NewFormItem(lang.L("Download folder"), container.NewBorder(nil, nil, nil, s.browseBtn, s.downloadDir)),
		widget.NewFormItem(lang.L("Lock new files with"), s.defaultKey),
	)
	s.aboutBtn = widget.NewButtonWithIcon(lang.L("About ossvault"), theme.InfoIcon(), func() { u.showAbout() })
	s.strict = container.NewVBox()
	strictNote := widget.NewLabel(lang.L("Storage that only accepts files protected by ossvault refuses, unsaved, every file that another app uploaded or that has no tamper check."))
	strictNote.Wrapping = textWrap()
	s.content = newWrapStack(form, widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Storage"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), strictNote, s.strict,
		s.message, widget.NewSeparator(), container.NewHBox(s.aboutBtn))
	return s
}

// setAccounts shows one check per storage account for its VerifiedOnly
// setting; a change is saved at once.
func (s *settingsScreen) setAccounts(accts []Account) {
	s.strict.RemoveAll()
	for _, a := range accts {
		name := a.Name
		c := widget.NewCheck(lang.L("{{.Name}}: only accept files protected by ossvault", map[string]any{"Name": accountName(a)}), nil)
		c.SetChecked(a.VerifiedOnly)
		c.OnChanged = func(on bool) { s.onVerifiedOnly(c, name, on) }
		s.strict.Add(c)
	}
	s.strict.Refresh()
}

func (s *settingsScreen) onVerifiedOnly(c *widget.Check, name string, on bool) {
	goDo(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.be.Accounts().SetVerifiedOnly(ctx, name, on)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.message.SetText(s.u.explain(err))
			c.OnChanged = nil
			c.SetChecked(!on)
			c.OnChanged = func(on bool) { s.onVerifiedOnly(c, name, on) }
			return
		}
		if on {
			s.message.SetText(lang.L("{{.Name}} now only accepts files protected by ossvault.", map[string]any{"Name": name}))
		} else {
			s.message.SetText(lang.L("{{.Name}} now also accepts files from other apps, with a warning.", map[string]any{"Name": name}))
		}
	})
}

func (s *settingsScreen) setKeys(keys []Key) {
	s.defaultKey.OnChanged = nil
	s.keyChoices = map[string]string{}
	var opts []string
	sel := ""
	for _, k := range keys {
		if k.Kind == KeyColleague {
			continue // a default must be a key I can open files with
		}
		label := keyLabel(k)
		s.keyChoices[label] = k.Name
		opts = append(opts, label)
		if k.Default {
			sel = label
		}
	}
	s.defaultKey.SetOptions(opts)
	if sel != "" {
		s.defaultKey.SetSelected(sel)
	} else {
		s.defaultKey.ClearSelected()
	}
	s.defaultKey.OnChanged = s.onDefaultKey
}

func (s *settingsScreen) onLanguage(code string) {
	if code == s.u.prefs.Language {
		return
	}
	s.u.prefs.Language = code
	s.u.savePrefs()
	if err := setLanguage(code); err != nil {
		s.u.showError(err)
		return
	}
	// Every screen is rebuilt in the new language; the folder on screen
	// and the transfers stay as they were.
	loc, hasLoc := s.u.browser.loc, s.u.browser.hasLoc
	// What downloads found out about files ("✓ intact") is not in the
	// storage: keep it, or the column goes back to "protected".
	checks := s.u.browser.checks
	s.u.build()
	s.u.browser.checks = checks
	s.u.win.SetContent(s.u.main)
	s.u.tabs.SelectIndex(3)
	s.u.browser.reloadAccounts()
	if hasLoc {
		s.u.browser.open(loc)
	}
	s.u.transfers.reload()
}

func (s *settingsScreen) onParallel(n int) {
	s.u.prefs.Parallel = n
	s.u.be.Transfers().SetParallel(n)
	s.u.savePrefs()
	s.message.SetText(lang.L("Saved: up to {{.N}} transfers now run at once.", map[string]any{"N": n}))
}

func (s *settingsScreen) onDownloadDir(dir string) {
	// A folder that cannot be written is refused now, not at the first
	// download, when the user has moved on.
	goDo(s.u, func(context.Context) (struct{}, error) {
		return struct{}{}, checkWritable(dir)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.downloadDir.SetText(s.u.prefs.downloadDir())
			s.message.SetText(s.u.explain(err))
			return
		}
		s.u.prefs.DownloadDir = dir
		s.downloadDir.SetText(dir)
		s.u.savePrefs()
		s.message.SetText(lang.L("Downloads go to {{.Dir}}.", map[string]any{"Dir": dir}))
	})
}

func (s *settingsScreen) onDefaultKey(label string) {
	name := s.keyChoices[label]
	if name == "" {
		return
	}
	goDo(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.be.Keys().SetDefault(ctx, name)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.message.SetText(s.u.explain(err))
			return
		}
		s.u.reloadKeys()
	})
}
