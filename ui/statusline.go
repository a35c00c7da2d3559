package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// statusMaxLines is the most lines the status line takes. The longest
// sentence it is given (a key that cannot open an old file, with what to
// do) needs two at 800 pixels; past four, the list above would lose more
// rows than the sentence is worth, and the rest is cut with "…".
const statusMaxLines = 4

// statusLine is the sentence at the foot of the window. A sentence wider
// than its room goes on as many lines as it needs (up to statusMaxLines,
// and as many as the window has room for), and the bar grows to hold them:
// cut with "…", the advice at the end of a long sentence ("…choose another
// folder in Settings") was lost, and that is the part that says what to do.
//
// Fyne's own word wrapping is not used: a wrapping label asks for the
// height of its text at the width it had last, which before the first
// layout is none, one word a line, and the bar then took half the window.
// The window's layout (mainLayout) knows the width first: it has the line
// wrapped at that width (fit) before it places anything.
type statusLine struct {
	widget.BaseWidget
	// Text is the whole sentence; SetText changes it.
	Text string

	label *widget.Label
	// width and height are the room fit last wrapped the text for, and
	// wrapped the text it wrapped.
	width, height float32
	wrapped       string
	// changed lays out the window again when a new text needs another
	// number of lines.
	changed func()
}

func newStatusLine() *statusLine {
	s := &statusLine{label: widget.NewLabel("")}
	s.ExtendBaseWidget(s)
	return s
}

// SetText shows text, wrapped to the room the line has.
func (s *statusLine) SetText(text string) {
	if text == s.Text {
		return
	}
	before := s.label.MinSize().Height
	s.Text = text
	s.fit(s.width, s.height)
	if s.label.MinSize().Height != before && s.changed != nil {
		s.changed()
	}
	s.Refresh()
}

// fit wraps the text for a line width wide and at most height tall (as
// many lines as fit there, one at least), and gives the height it takes.
func (s *statusLine) fit(width, height float32) float32 {
	if width != s.width || height != s.height || s.Text != s.wrapped {
		s.width, s.height, s.wrapped = width, height, s.Text
		for n := statusMaxLines; n >= 1; n-- {
			s.label.SetText(wrapForLabel(s.label, s.Text, width, n))
			if n == 1 || s.label.MinSize().Height <= height {
				break
			}
		}
	}
	return s.label.MinSize().Height
}

// wrapForLabel is text broken into at most maxLines lines (wrapText) that
// fit l, width wide, in l's style: lines joined for l to show as they are.
func wrapForLabel(l *widget.Label, text string, width float32, maxLines int) string {
	style, size := l.TextStyle, theme.TextSize()
	lines := wrapText(text, width-2*theme.InnerPadding(), maxLines, func(t string) float32 {
		return fyne.MeasureText(t, size, style).Width
	})
	return strings.Join(lines, "\n")
}

func (s *statusLine) CreateRenderer() fyne.WidgetRenderer {
	return &statusRenderer{s: s}
}

type statusRenderer struct{ s *statusLine }

func (r *statusRenderer) Layout(size fyne.Size) {
	r.s.label.Move(fyne.NewPos(0, 0))
	r.s.label.Resize(size)
}

// MinSize is as narrow as anything (the line gives up width to the
// summary beside it, and wraps) and one line tall: the window does not
// grow for a long sentence, its list gives up the room.
func (r *statusRenderer) MinSize() fyne.Size {
	h := fyne.MeasureText("M", theme.TextSize(), r.s.label.TextStyle).Height
	return fyne.NewSize(0, h+2*theme.InnerPadding())
}

func (r *statusRenderer) Refresh()                     { r.s.label.Refresh() }
func (r *statusRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.s.label} }
func (r *statusRenderer) Destroy()                     {}

// mainLayout places the tabs above the status bar (objects[0] and [1]),
// giving the bar the height the status line needs at the window's width,
// and the tabs the rest.
type mainLayout struct {
	status  *statusLine
	summary fyne.CanvasObject
}

func (l mainLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	tabs, bar := objs[0], objs[1]
	pad := theme.Padding()
	// The status line's width inside the bar: a border layout gives the
	// summary its least width and the line the rest, less one padding.
	width := size.Width - l.summary.MinSize().Width - pad
	h := max(bar.MinSize().Height, l.status.fit(width, size.Height-tabs.MinSize().Height-pad))
	tabs.Move(fyne.NewPos(0, 0))
	tabs.Resize(fyne.NewSize(size.Width, size.Height-h-pad))
	bar.Move(fyne.NewPos(0, size.Height-h))
	bar.Resize(fyne.NewSize(size.Width, h))
}

func (l mainLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	tabs, bar := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(tabs.Width, bar.Width), tabs.Height+theme.Padding()+bar.Height)
}

// wrapText breaks text into at most maxLines lines no wider than room by
// measure: between words, and between any two characters of Chinese or
// Japanese, which are written without spaces. A word wider than a line is
// broken where it must be. The last line of a text that needs more lines
// ends with "…". A room of none or less gives the text on one line.
func wrapText(text string, room float32, maxLines int, measure func(string) float32) []string {
	if text == "" {
		return nil
	}
	if room <= 0 || maxLines < 1 || measure(text) <= room {
		return []string{text}
	}
	var lines []string
	line := ""
	for _, tok := range wrapTokens(text) {
		next := line + tok
		if line == "" {
			next = strings.TrimLeft(tok, " ")
		}
		if measure(strings.TrimRight(next, " ")) <= room {
			line = next
			continue
		}
		if line != "" {
			lines = append(lines, strings.TrimRight(line, " "))
		}
		line = strings.TrimLeft(tok, " ")
		// A word wider than the whole line: break it by characters.
		for measure(line) > room && len([]rune(line)) > 1 {
			r := []rune(line)
			cut := len(r) - 1
			for cut > 1 && measure(string(r[:cut])) > room {
				cut--
			}
			lines = append(lines, string(r[:cut]))
			line = string(r[cut:])
		}
	}
	if line = strings.TrimRight(line, " "); line != "" {
		lines = append(lines, line)
	}
	if len(lines) <= maxLines {
		return lines
	}
	lines = lines[:maxLines]
	last := []rune(lines[maxLines-1])
	for len(last) > 0 && measure(string(last)+"…") > room {
		last = last[:len(last)-1]
	}
	lines[maxLines-1] = strings.TrimRight(string(last), " ") + "…"
	return lines
}

// wrapTokens splits text where a line may break: each token is a word
// with the spaces before it, or one Chinese or Japanese character.
func wrapTokens(text string) []string {
	var out []string
	var cur strings.Builder
	word := false // cur holds letters of a word, not only spaces
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
		word = false
	}
	for _, r := range text {
		switch {
		case r == ' ':
			if word {
				flush()
			}
			cur.WriteRune(r)
		case closesPhrase(r):
			// "，" and "。" stay on the line of what they close.
			if cur.Len() == 0 && len(out) > 0 {
				out[len(out)-1] += string(r)
				continue
			}
			cur.WriteRune(r)
			flush()
		case breaksAnywhere(r):
			if word {
				flush()
			}
			cur.WriteRune(r)
			flush()
		default:
			cur.WriteRune(r)
			word = true
		}
	}
	flush()
	return out
}

// breaksAnywhere reports whether a line may break before and after r:
// Chinese and Japanese characters and their punctuation.
func breaksAnywhere(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// closesPhrase reports whether r is punctuation that a line never starts
// with: the commas, stops and closing brackets of Chinese and Japanese.
func closesPhrase(r rune) bool {
	return strings.ContainsRune("，。、；：？！」』）〉》】〕，．：；？！）］｝", r)
}
