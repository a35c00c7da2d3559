package osslocal_test

import (
	"hash/crc64"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// patternReader produces n bytes by repeating a random 1 MiB block, so large
// objects need no memory of their own.
type patternReader struct {
	block []byte
	off   int64
}

func newPattern() *patternReader { return &patternReader{block: randomBytes(99, 1<<20)} }

func (p *patternReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		i := int(p.off % int64(len(p.block)))
		c := copy(b[n:], p.block[i:])
		n += c
		p.off += int64(c)
	}
	return n, nil
}

// heapWatch samples HeapInuse until stopped and reports the peak.
type heapWatch struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func watchHeap() *heapWatch {
	w := &heapWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > w.peak.Load() {
				w.peak.Store(ms.HeapInuse)
			}
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *heapWatch) Stop() uint64 {
	close(w.stop)
	<-w.done
	return w.peak.Load()
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestStreaming2GiB sends a 2 GiB object through the SDK and back and checks
// that the heap of the process (server and client) stays flat: nothing
// buffers a whole object.
func TestStreaming2GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 4 GiB")
	}
	const size = 2 << 30
	const bound = 64 << 20
	srv := osstest.Start(t, osstest.WithBuckets("stream"), osstest.WithDir(bigTempDir(t, 3<<30)))
	c := newClient(t, srv, clientConfig{})
	b, _ := c.Bucket("stream")

	base := heapInuse()
	w := watchHeap()
	want := crc64.New(crc64.MakeTable(crc64.ECMA))
	src := io.TeeReader(io.LimitReader(newPattern(), size), want)
	if err := b.PutObject("big", &io.LimitedReader{R: src, N: size}); err != nil {
		t.Fatal(err)
	}
	var hdr http.Header
	rc, err := b.GetObject("big", oss.GetResponseHeader(&hdr))
	if err != nil {
		t.Fatal(err)
	}
	got := crc64.New(crc64.MakeTable(crc64.ECMA))
	n, err := io.Copy(got, rc)
	rc.Close()
	peak := w.Stop()
	if err != nil || n != size {
		t.Fatalf("GET: %d bytes, %v", n, err)
	}
	if got.Sum64() != want.Sum64() || hdr.Get("X-Oss-Hash-Crc64ecma") != strconv.FormatUint(want.Sum64(), 10) {
		t.Fatalf("CRC: read %x, sent %x, header %s", got.Sum64(), want.Sum64(), hdr.Get("X-Oss-Hash-Crc64ecma"))
	}
	growth := int64(peak) - int64(base)
	t.Logf("heap in use: %d MiB before, %d MiB peak during 2 GiB PUT+GET", base>>20, peak>>20)
	if growth > bound {
		t.Fatalf("heap grew by %d MiB moving 2 GiB (bound %d MiB)", growth>>20, bound>>20)
	}
}

// bareServer is the baseline: net/http copying request bodies to a file and
// serving files back, nothing else.
func bareServer(t testing.TB, dir string) string {
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Join(dir, strings.ReplaceAll(strings.Trim(r.URL.Path, "/"), "/", "_"))
		switch r.Method {
		case http.MethodPut:
			f, err := os.Create(name)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			_, err = io.Copy(f, r.Body)
			f.Close()
			if err != nil {
				http.Error(w, err.Error(), 500)
			}
		case http.MethodGet:
			mu.Lock()
			f, err := os.Open(name)
			mu.Unlock()
			if err != nil {
				http.Error(w, err.Error(), 404)
				return
			}
			defer f.Close()
			fi, _ := f.Stat()
			w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
			io.Copy(w, f)
		}
	})
	srv := &http.Server{Handler: h}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// BenchmarkThroughput puts and gets a 1 GiB object through the SDK against
// the local endpoint (disk store) and against the bare baseline, side by
// side in one run.
//
//	go test -run '^$' -bench Throughput -benchtime 3x ./internal/osslocal/
func BenchmarkThroughput(b *testing.B) {
	const size = 1 << 30
	// Both in memory-backed folders where available, so the comparison is
	// of the servers, not of fsync.
	srv := osstest.Start(b, osstest.WithBuckets("bench"), osstest.WithDir(bigTempDir(b, 3<<30)))
	bare := bareServer(b, bigTempDir(b, 2<<30))
	targets := []struct {
		name     string
		endpoint string
	}{
		{"osslocal", srv.Endpoint},
		{"bare", bare},
	}
	buckets := make([]*oss.Bucket, len(targets))
	for i, tg := range targets {
		c, err := oss.New(tg.endpoint, srv.AccessKeyID, srv.AccessKeySecret)
		if err != nil {
			b.Fatal(err)
		}
		buckets[i], _ = c.Bucket("bench")
		// The object to read, so that get/ also runs on its own.
		if err := buckets[i].PutObject("obj", &io.LimitedReader{R: newPattern(), N: size}); err != nil {
			b.Fatal(err)
		}
	}
	// Seconds per operation, by op and target, for the ratios logged at the
	// end.
	perOp := map[string]float64{}
	record := func(b *testing.B, name string, cpu0 float64) {
		perOp[name] = b.Elapsed().Seconds() / float64(b.N)
		// CPU time of the whole process (client and server), which on a
		// shared machine says more about the work done than wall time.
		b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-sec/op")
		if len(perOp) < 4 {
			return
		}
		// The last sub-benchmark reports the comparison (a parent
		// benchmark's own log is not printed).
		for _, op := range []string{"get", "put"} {
			b.Logf("%s: osslocal runs at %.2f of the bare server's throughput", op, perOp[op+"/bare"]/perOp[op+"/osslocal"])
		}
	}
	for i, tg := range targets {
		bk := buckets[i]
		b.Run("get/"+tg.name, func(b *testing.B) {
			b.SetBytes(size)
			defer record(b, "get/"+tg.name, cpuSeconds())
			for i := 0; i < b.N; i++ {
				rc, err := bk.GetObject("obj")
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, rc)
				rc.Close()
				if err != nil || n != size {
					b.Fatalf("%d bytes, %v", n, err)
				}
			}
		})
	}
	for i, tg := range targets {
		bk := buckets[i]
		b.Run("put/"+tg.name, func(b *testing.B) {
			b.SetBytes(size)
			defer record(b, "put/"+tg.name, cpuSeconds())
			for i := 0; i < b.N; i++ {
				if err := bk.PutObject("obj", &io.LimitedReader{R: newPattern(), N: size}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
