package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Fyne's file dialog, where the desktop has none, speaks the app's
// language: its places ("Home", "Computer") and its buttons, in Chinese,
// Traditional Chinese and Japanese as in English.
func TestFyneFileDialogSpeaksTheLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang, home, computer, open string
	}{
		{"en", "Home", "Computer", "Open"},
		{"zh", "主目录", "计算机", "打开"},
		{"zh-TW", "家目錄", "電腦", "開啟"},
		{"ja", "ホーム", "コンピューター", "開く"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			if err := setLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { setLanguage("en") })
			u := startMain(t, readyFake())
			u.pick.native = nil
			u.do(func() { u.pick.openFiles("Choose files to upload", true, func([]string) {}) })
			u.wait()
			var top fyne.CanvasObject
			u.do(func() { top = u.win.Canvas().Overlays().Top() })
			if top == nil {
				t.Fatal("no dialog opened")
			}
			var labels, buttons []string
			for _, o := range test.LaidOutObjects(top) {
				switch x := o.(type) {
				case *widget.Label:
					labels = append(labels, x.Text)
				case *widget.Button:
					buttons = append(buttons, x.Text)
				}
			}
			for _, want := range []string{tc.home, tc.computer} {
				if !slices.Contains(labels, want) {
					t.Errorf("the places do not include %q: %q", want, labels)
				}
			}
			if tc.lang != "en" && (slices.Contains(labels, "Home") || slices.Contains(labels, "Computer")) {
				t.Errorf("places still in English: %q", labels)
			}
			if !slices.Contains(buttons, tc.open) {
				t.Errorf("no %q button: %q", tc.open, buttons)
			}
			if got := len(fyneDialogWords()); got == 0 {
				t.Fatal("no dialog words")
			}
		})
	}
}
