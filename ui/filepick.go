package ui

import (
	"errors"
	"os"
	"runtime"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"github.com/ncruces/zenity"
)

// File and folder choosers. The desktop's own dialogs come first: they know
// Desktop, Documents and the places the user pinned, speak the system's
// language, and pick several files at once. On Windows and macOS they are
// the system's; on Linux zenity (or qarma, matedialog) draws them where it
// is installed. Fyne's own dialogs stay as the fallback: where no such tool
// exists, when it fails to start, and in tests on Fyne's test driver.

// nativeDialogs are the desktop's dialogs. Each call blocks until the user
// answers; errCanceled means the user closed it without choosing.
type nativeDialogs interface {
	openFiles(title string, multiple bool) ([]string, error)
	openFolder(title string) (string, error)
	saveFile(title, name string) (string, error)
}

var errCanceled = zenity.ErrCanceled

// desktopDialogs returns the desktop's dialogs, or nil where there are
// none to use. OSSVAULT_FYNE_DIALOGS=1 keeps Fyne's (for tests that drive
// the window and for anyone whose desktop tool misbehaves).
func desktopDialogs() nativeDialogs {
	if os.Getenv("OSSVAULT_FYNE_DIALOGS") == "1" {
		return nil
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && !zenity.IsAvailable() {
		return nil
	}
	return zenityDialogs{}
}

type zenityDialogs struct{}

func (zenityDialogs) openFiles(title string, multiple bool) ([]string, error) {
	if multiple {
		return zenity.SelectFileMultiple(zenity.Title(title))
	}
	p, err := zenity.SelectFile(zenity.Title(title))
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

func (zenityDialogs) openFolder(title string) (string, error) {
	return zenity.SelectFile(zenity.Title(title), zenity.Directory())
}

func (zenityDialogs) saveFile(title, name string) (string, error) {
	return zenity.SelectFileSave(zenity.Title(title), zenity.Filename(name), zenity.ConfirmOverwrite())
}

// picker asks the user for files and folders, natively where it can. Its
// callbacks run on the UI goroutine, and only when something was chosen.
type picker struct {
	u *appUI

	mu     sync.Mutex
	native nativeDialogs // nil: Fyne's dialogs only
	// asking counts the desktop dialogs open, for tests. Quitting does
	// not wait for them: the tool's window closes with the app.
	asking sync.WaitGroup
}

// withNative runs ask, the desktop's dialog, off the UI goroutine (it
// blocks until answered), or shows Fyne's dialog with show where there is
// no native one. A native dialog that fails to open (no display for it, a
// broken install) makes way for Fyne's, now and for the rest of the run.
func (p *picker) withNative(ask func(nativeDialogs) error, show func()) {
	p.mu.Lock()
	n := p.native
	p.mu.Unlock()
	if n == nil {
		show()
		return
	}
	p.asking.Add(1)
	go func() {
		defer p.asking.Done()
		err := ask(n)
		if err == nil || errors.Is(err, errCanceled) {
			return
		}
		p.mu.Lock()
		p.native = nil
		p.mu.Unlock()
		p.u.do(show)
	}()
}

// openFiles asks for files to read (several where the dialog allows) and
// calls done with their paths.
func (p *picker) openFiles(title string, multiple bool, done func(paths []string)) {
	ask := func(n nativeDialogs) error {
		paths, err := n.openFiles(title, multiple)
		if err == nil && len(paths) > 0 {
			p.u.do(func() { done(paths) })
		}
		return err
	}
	p.withNative(ask, func() { p.fyneOpenFile(done) })
}

func (p *picker) fyneOpenFile(done func([]string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		done([]string{r.URI().Path()})
	}, p.u.win)
	d.Show()
	translatePlaces(p.u.win.Canvas())
}

// openFolder asks for a folder and calls done with its path.
func (p *picker) openFolder(title string, done func(path string)) {
	ask := func(n nativeDialogs) error {
		path, err := n.openFolder(title)
		if err == nil && path != "" {
			p.u.do(func() { done(path) })
		}
		return err
	}
	p.withNative(ask, func() { p.fyneOpenFolder(done) })
}

func (p *picker) fyneOpenFolder(done func(string)) {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err == nil && l != nil {
			done(l.Path())
		}
	}, p.u.win)
	d.Show()
	translatePlaces(p.u.win.Canvas())
}

// saveFile asks where to save a file named name and calls done with a
// writer for it. The native dialog creates nothing: the file is made when
// written (writePrivate makes it 0600 from the start).
func (p *picker) saveFile(title, name string, done func(w fyne.URIWriteCloser)) {
	ask := func(n nativeDialogs) error {
		path, err := n.saveFile(title, name)
		if err == nil && path != "" {
			p.u.do(func() { done(&savedFile{path: path}) })
		}
		return err
	}
	p.withNative(ask, func() { p.fyneSaveFile(name, done) })
}

func (p *picker) fyneSaveFile(name string, done func(fyne.URIWriteCloser)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		done(w)
	}, p.u.win)
	d.SetFileName(name)
	d.Show()
	translatePlaces(p.u.win.Canvas())
}

// savedFile is a file chosen in a native save dialog, created on the first
// write. It names itself with a file URI as Fyne's dialogs do, so that
// writePrivate and the messages that say where something went treat both
// alike.
type savedFile struct {
	path string
	f    *os.File
}

func (s *savedFile) Write(b []byte) (int, error) {
	if s.f == nil {
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return 0, err
		}
		s.f = f
	}
	return s.f.Write(b)
}

func (s *savedFile) Close() error {
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}

func (s *savedFile) URI() fyne.URI { return storage.NewFileURI(s.path) }
