package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
)

// wrapText's lines keep every word, in order, each no wider than the room;
// Chinese and Japanese break between characters, and never before "，".
func TestWrapText(t *testing.T) {
	// One unit per character: widths are easy to reason about.
	measure := func(s string) float32 { return float32(utf8.RuneCountInString(s)) }
	tests := []struct {
		name     string
		text     string
		room     float32
		maxLines int
		want     []string
	}{
		{"fits", "Deleted 3 items.", 40, 4, []string{"Deleted 3 items."}},
		{"empty", "", 40, 4, nil},
		{"no room yet", "Deleted 3 items.", 0, 4, []string{"Deleted 3 items."}},
		{"words", "The folder cannot be written: choose another folder in Settings.", 24, 4,
			[]string{"The folder cannot be", "written: choose another", "folder in Settings."}},
		{"long word", "see /home/clerk/Documents/payroll", 12, 4,
			[]string{"see", "/home/clerk/", "Documents/pa", "yroll"}},
		{"too many lines", "one two three four five six seven", 9, 2,
			[]string{"one two", "three…"}},
		{"chinese", "无法连接存储服务。请检查网络连接后重试。", 8, 4,
			[]string{"无法连接存储服", "务。请检查网络连", "接后重试。"}},
		{"comma stays", "此文件是用密钥加密的，而这台电脑上没有", 10, 4,
			[]string{"此文件是用密钥加密", "的，而这台电脑上没有"}},
		{"mixed", "此文件是用 Bob 的密钥加密的", 8, 4,
			[]string{"此文件是用", "Bob 的密钥加", "密的"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapText(tt.text, tt.room, tt.maxLines, measure)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("wrapText(%q, %v) =\n%q\nwant\n%q", tt.text, tt.room, got, tt.want)
			}
		})
	}
}

// A sentence too long for one line at 800 pixels is shown whole, on more
// lines, with the window no larger and the file list still there; a wider
// window needs fewer lines, and a short sentence gives the room back.
func TestStatusLineWrapsLongSentence(t *testing.T) {
	u := startMain(t, readyFake())
	u.win.Resize(fyne.NewSize(800, 600))
	u.wait()
	oneLine := u.status.Size().Height
	listH := u.browser.list.Size().Height
	long := "A new key cannot open a file sent before it existed. Send your public key (Keys, Copy my public key) to the sender and ask for a new link."
	u.do(func() { u.setStatus(long) })
	u.wait()
	shown := u.status.label.Text
	if strings.Contains(shown, "…") || strings.ReplaceAll(shown, "\n", " ") != long {
		t.Fatalf("the status line shows %q, not the whole sentence", shown)
	}
	lines := strings.Count(shown, "\n") + 1
	if lines < 2 {
		t.Fatalf("at 800 wide the sentence is on %d line: %q", lines, shown)
	}
	if got := u.status.Size().Height; got <= oneLine {
		t.Fatalf("the status line is %v high with %d lines, as with one (%v)", got, lines, oneLine)
	}
	if got := u.win.Canvas().Size(); got.Width > 801 || got.Height > 601 {
		t.Fatalf("the window grew to %v for the sentence", got)
	}
	if got := u.browser.list.Size().Height; got >= listH || got < listH/2 {
		t.Fatalf("the file list is %v high with the long sentence, %v before", got, listH)
	}
	for _, text := range cutLabels(u.win.Canvas()) {
		t.Errorf("%q is cut", text)
	}

	u.win.Resize(fyne.NewSize(1920, 1080))
	u.wait()
	if wide := strings.Count(u.status.label.Text, "\n") + 1; wide >= lines {
		t.Fatalf("at 1920 wide the sentence still takes %d lines", wide)
	}
	u.win.Resize(fyne.NewSize(800, 600))
	u.do(func() { u.setStatus("Deleted 3 items.") })
	u.wait()
	if got := u.status.Size().Height; got != oneLine {
		t.Fatalf("a short sentence after a long one leaves the line %v high, not %v", got, oneLine)
	}
	if got := u.browser.list.Size().Height; got != listH {
		t.Fatalf("the file list did not get its room back: %v, was %v", got, listH)
	}
}
