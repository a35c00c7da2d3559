package ui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer/osssdk"
)

// memoryBackend is the real backend on a local endpoint whose store is in
// memory and holds n objects in the demo bucket.
func memoryBackend(b *testing.B, n int) *realBackend {
	b.Helper()
	useKeychain(b)
	home := b.TempDir()
	mem := osslocal.NewMemoryStore()
	if err := mem.CreateBucket(demoBucket); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := mem.PutObject(demoBucket, fmt.Sprintf("scan-%06d.pdf", i), nil, strings.NewReader("x"), osslocal.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	rb, err := app.Open(home, app.Options{Connect: osssdk.Connect, LocalStore: mem})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := rb.StartLocal(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rb.Close() })
	return rb
}

// BenchmarkOpenFolder is the time from opening a folder to its first rows
// drawn, on the real backend over HTTP; the 100-object folder is the
// baseline the 100,000-object one is compared with.
func BenchmarkOpenFolder(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			rb := memoryBackend(b, n)
			a := test.NewTempApp(b)
			w := test.NewTempWindow(b, widget.NewLabel(""))
			w.Resize(fyne.NewSize(1024, 768))
			u := newAppUI(a, w, rb, rb.Home(), Prefs{})
			b.Cleanup(u.close)
			u.showMain()
			u.wait()
			loc := Location{Account: localAccountName, Bucket: demoBucket}
			b.ResetTimer()
			for range b.N {
				u.browser.open(loc)
				u.wait()
				w.Canvas().Capture()
				if len(u.browser.view) == 0 {
					b.Fatal("no rows")
				}
			}
			b.StopTimer()
			u.browser.locks.wait()
		})
	}
}

// BenchmarkFirstFrame is the time to build every screen and draw the main
// window's first frame (software renderer, no display), against a bare
// window with one label drawn the same way.
func BenchmarkFirstFrame(b *testing.B) {
	b.Run("baseline=label", func(b *testing.B) {
		a := test.NewTempApp(b)
		for range b.N {
			w := a.NewWindow("x")
			w.SetContent(widget.NewLabel("ossvault"))
			w.Resize(fyne.NewSize(1024, 768))
			w.Canvas().Capture()
			w.Close()
		}
	})
	b.Run("app", func(b *testing.B) {
		f := readyFake()
		a := test.NewTempApp(b)
		for range b.N {
			w := a.NewWindow(windowTitle)
			w.Resize(fyne.NewSize(1024, 768))
			u := newAppUI(a, w, f, b.TempDir(), Prefs{})
			u.start(false)
			u.wait()
			w.Canvas().Capture()
			if w.Content() != u.main {
				b.Fatal("main screen not shown")
			}
			u.close()
			w.Close()
		}
	})
}

// BenchmarkLaunchToWindow starts the built app on a real display and times
// it until its window is on screen, against "ossvault --version" (the same
// binary starting and exiting without a window).
func BenchmarkLaunchToWindow(b *testing.B) {
	display := os.Getenv("DISPLAY")
	if display == "" || os.Getenv("OSSVAULT_IN_SERVICES") != "1" {
		b.Skip("needs a display and the keychain of internal/testenv/with-services.sh")
	}
	bin := buildApp(b)
	b.Run("baseline=version", func(b *testing.B) {
		for range b.N {
			if out, err := exec.Command(bin, "--version").CombinedOutput(); err != nil {
				b.Fatal(err, string(out))
			}
		}
	})
	b.Run("app", func(b *testing.B) {
		src, err := newXDNDSource(display)
		if err != nil {
			b.Fatal(err)
		}
		defer src.close()
		for range b.N {
			home := b.TempDir()
			b.StartTimer()
			app := exec.Command(bin, "--local")
			app.Env = append(os.Environ(), "OSSVAULT_HOME="+home)
			if err := app.Start(); err != nil {
				b.Fatal(err)
			}
			_, err := src.findWindowEvery(windowTitle, 30*time.Second, 5*time.Millisecond)
			b.StopTimer()
			app.Process.Kill()
			app.Wait()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
