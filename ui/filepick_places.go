package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Fyne's own file dialog, the fallback where the desktop has none, looks
// its words up in the app's translations, which carry them for Japanese
// and Traditional Chinese as well (Fyne ships neither). The names of its
// places are another matter: Fyne 2.7 writes "Home", "Computer",
// "Documents" as they are, so that the Chinese app showed them in English.
// translatePlaces names them in the user's language.

// fyneDialogWords are the words Fyne's file dialog looks up itself. They
// are named here so that the translations carry them.
func fyneDialogWords() []string {
	return []string{lang.L("Open"), lang.L("Save"), lang.L("File"), lang.L("Folder"), lang.L("New Folder"),
		lang.L("Create Folder"), lang.L("Show Hidden Files"), lang.L("Enter filename"), lang.L("Cancel")}
}

// placeName is the name of one of the file dialog's places in the user's
// language; a place Fyne adds later keeps its own name.
func placeName(name string) string {
	switch name {
	case "Home":
		return lang.L("Home")
	case "Computer":
		return lang.L("Computer")
	case "Desktop":
		return lang.L("Desktop")
	case "Documents":
		return lang.L("Documents")
	case "Downloads":
		return lang.L("Downloads")
	case "Music":
		return lang.L("Music")
	case "Pictures":
		return lang.L("Pictures")
	case "Videos":
		return lang.L("Videos")
	case "App Files":
		return lang.L("App Files")
	}
	return name
}

// translatePlaces names the places of the file dialog on top of c in the
// user's language. Fyne fills each row of its list of places afresh as it
// scrolls, so the translation goes into the list's own way of filling
// rows, after Fyne's.
func translatePlaces(c fyne.Canvas) {
	pop, ok := c.Overlays().Top().(*widget.PopUp)
	if !ok {
		return
	}
	l := placesList(pop.Content)
	if l == nil || l.UpdateItem == nil {
		return
	}
	fill := l.UpdateItem
	l.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
		fill(id, item)
		row, ok := item.(*fyne.Container)
		if !ok {
			return
		}
		for _, o := range row.Objects {
			if label, ok := o.(*widget.Label); ok {
				if name := placeName(label.Text); name != label.Text {
					label.SetText(name)
				}
			}
		}
	}
	l.Refresh()
}

// placesList finds the file dialog's list of places: the left side of the
// split between places and files.
func placesList(o fyne.CanvasObject) *widget.List {
	switch x := o.(type) {
	case *container.Split:
		if l, ok := x.Leading.(*widget.List); ok {
			return l
		}
		if l := placesList(x.Leading); l != nil {
			return l
		}
		return placesList(x.Trailing)
	case *fyne.Container:
		for _, k := range x.Objects {
			if l := placesList(k); l != nil {
				return l
			}
		}
	}
	return nil
}
