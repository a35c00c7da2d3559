package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/transfer/osssdk"
)

// BenchmarkManySmallFiles drops a folder of OSSVAULT_MANY_FILES small files
// (10,000 unless set) on the window, then downloads the folder, through
// the embedded endpoint with the real keychain, and reports how the window
// keeps up:
//
//   - up-s, down-s: from the drop (or Download) until the queue is idle;
//   - up-lag-ms, down-lag-ms: from the queue going idle until the status
//     line says all transfers are done;
//   - ui-wait-max-ms: the longest a call onto the UI goroutine, made every
//     16 ms as a frame would be, waited for its turn;
//   - heap-peak-MiB: the largest heap in use, sampled every 50 ms, garbage
//     included (it follows the collector's pace, and so the machine's load);
//   - heap-live-MiB: the heap in use after a collection at the end, with
//     every transfer still listed.
//
// Run: internal/testenv/with-services.sh go test ./ui/ -run '^$' -bench ManySmallFiles -benchtime 1x -timeout 30m
func BenchmarkManySmallFiles(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("OSSVAULT_MANY_FILES")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		manySmallFiles(b, n)
	}
}

func manySmallFiles(b *testing.B, n int) {
	ctx := context.Background()
	useKeychain(b)
	home := b.TempDir()
	be, err := app.Open(home, app.Options{Connect: osssdk.Connect, Parallel: 8})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	if _, err := be.StartLocal(); err != nil {
		b.Fatal(err)
	}
	if _, err := be.Keys().Generate(ctx, "Mine", 2048); err != nil {
		b.Fatal(err)
	}
	src := filepath.Join(b.TempDir(), "invoices")
	if err := os.Mkdir(src, 0o700); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		body := fmt.Sprintf("invoice %05d: pay 100.00 to account %d\n", i, i*7)
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("inv-%05d.txt", i)), []byte(body), 0o600); err != nil {
			b.Fatal(err)
		}
	}

	a := test.NewTempApp(b)
	w := test.NewTempWindow(b, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	downloads := b.TempDir()
	u := newAppUI(a, w, be, home, Prefs{SetupDone: true, KeysBackedUp: true, DownloadDir: downloads, Parallel: 8})
	b.Cleanup(u.close)
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	if !u.browser.hasLoc {
		b.Fatal("no folder open to drop on")
	}

	watch := watchUI(u)
	defer watch.stop()
	b.ResetTimer()

	start := time.Now()
	u.onDropped(fyne.NewPos(100, 100), []fyne.URI{storage.NewFileURI(src)})
	upIdle, upLag := untilSaidDone(b, u, be, n)
	b.ReportMetric(upIdle.Sub(start).Seconds(), "up-s")
	b.ReportMetric(float64(upLag.Milliseconds()), "up-lag-ms")

	start = time.Now()
	loc := u.browser.loc
	_, ids, err := be.Transfers().DownloadFolder(ctx, loc, loc.Prefix+"invoices/", downloads)
	if err != nil {
		b.Fatal(err)
	}
	u.do(func() { u.transfers.track(ids, "downloading", savedText) })
	downIdle, downLag := untilSaidDone(b, u, be, 2*n)
	b.ReportMetric(downIdle.Sub(start).Seconds(), "down-s")
	b.ReportMetric(float64(downLag.Milliseconds()), "down-lag-ms")
	b.StopTimer()

	wait, heap := watch.stop()
	b.ReportMetric(float64(wait.Milliseconds()), "ui-wait-max-ms")
	b.ReportMetric(float64(heap)/(1<<20), "heap-peak-MiB")
	// What stays: the heap in use once garbage is collected, with every
	// transfer of both phases still listed.
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-live-MiB")
	got, _ := filepath.Glob(filepath.Join(downloads, "invoices", "inv-*.txt"))
	if len(got) != n {
		b.Fatalf("%d of %d files downloaded", len(got), n)
	}
}

// untilSaidDone waits for the queue to go idle with want jobs listed, then
// for the status line to say that all are done, and returns when the queue
// went idle and how long the status line took after that.
func untilSaidDone(b *testing.B, u *appUI, be *realBackend, want int) (idle time.Time, lag time.Duration) {
	b.Helper()
	deadline := time.Now().Add(25 * time.Minute)
	for {
		be.Queue().Wait()
		if len(be.Transfers().Jobs()) >= want {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d transfers were started", len(be.Transfers().Jobs()), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	idle = time.Now()
	for {
		var said string
		u.do(func() { said = u.transfers.summary.Text })
		if said == "All transfers are done." {
			return idle, time.Since(idle)
		}
		if time.Now().After(deadline) {
			b.Fatalf("the status line still says %q", said)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// uiWatch measures how long the UI goroutine keeps a frame waiting, and
// the heap's peak.
type uiWatch struct {
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	wait time.Duration
	heap uint64
}

func watchUI(u *appUI) *uiWatch {
	w := &uiWatch{done: make(chan struct{})}
	w.wg.Add(2)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(16 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
			}
			asked := time.Now()
			u.do(func() {})
			w.mu.Lock()
			w.wait = max(w.wait, time.Since(asked))
			w.mu.Unlock()
		}
	}()
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
			}
			runtime.ReadMemStats(&m)
			w.mu.Lock()
			w.heap = max(w.heap, m.HeapInuse)
			w.mu.Unlock()
		}
	}()
	return w
}

// stop ends the watch (once) and returns the longest wait and the peak.
func (w *uiWatch) stop() (time.Duration, uint64) {
	select {
	case <-w.done:
	default:
		close(w.done)
	}
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.wait, w.heap
}
