package transfer

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// The benchmarks compare ossvault's encrypted transfers with the SDK's own
// plaintext ones and with the SDK v1 encryption client, in one run, on the
// local endpoint, with the same part size and parallelism. The file is
// OSSVAULT_BENCH_MB MiB (1024 by default). The endpoint's store, the source
// file and the downloads live in /dev/shm when it has room, so the disk is
// not what is measured. Besides MB/s, each contender's process CPU time is
// reported (*-cpu-s), which varies far less than wall time on a shared
// machine; with the endpoint in another process (see newBenchEnv) it is
// the client's alone. BenchmarkPutWAN and BenchmarkGetWAN repeat the race
// over a network-like link (see newWANBenchEnv). Run with:
//
//	go test -run '^$' -bench . -benchtime 6x ./transfer

const (
	benchPartSize = 8 << 20
	benchParallel = 4
)

func benchSize(b *testing.B) int {
	if s := os.Getenv("OSSVAULT_BENCH_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("OSSVAULT_BENCH_MB=%q", s)
		}
		return n << 20
	}
	return 1 << 30
}

// peakHeap samples the heap in use until stopped and returns its peak.
// The local endpoint runs in the same process, so this is an upper bound
// for the client alone.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

type benchEnv struct {
	client *oss.Client
	bucket *oss.Bucket
	store  Bucket
	src    string
	size   int
}

// newBenchEnv starts the local endpoint in this process, or, when
// OSSVAULT_BENCH_ENDPOINT names one (a separate `ossvault serve-local`,
// its keys in OSSVAULT_BENCH_KEY_ID and OSSVAULT_BENCH_KEY_SECRET), uses
// that one, so that the process CPU time is the client's alone. The file
// is OSSVAULT_BENCH_SRC when set (its size then is the file's), so that a
// process that runs one transfer does not spend as much again writing it.
func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	size := benchSize(b)
	endpoint, id, secret := os.Getenv("OSSVAULT_BENCH_ENDPOINT"), os.Getenv("OSSVAULT_BENCH_KEY_ID"), os.Getenv("OSSVAULT_BENCH_KEY_SECRET")
	if endpoint == "" {
		srv := osstest.Start(b, osstest.WithBuckets("bench"), osstest.WithDir(benchDir(b, 6*uint64(size))))
		endpoint, id, secret = srv.Endpoint, srv.AccessKeyID, srv.AccessKeySecret
	}
	conn := Conn{Endpoint: endpoint, AccessKeyID: id, AccessKeySecret: secret}
	client := sdkClient(b, conn)
	if os.Getenv("OSSVAULT_BENCH_ENDPOINT") != "" {
		if ok, err := client.IsBucketExist("bench"); err != nil {
			b.Fatal(err)
		} else if !ok {
			if err := client.CreateBucket("bench"); err != nil {
				b.Fatal(err)
			}
		}
	}
	bucket, _ := client.Bucket("bench")
	st := openBucket(b, conn, "bench")
	src := os.Getenv("OSSVAULT_BENCH_SRC")
	if src != "" {
		fi, err := os.Stat(src)
		if err != nil {
			b.Fatal(err)
		}
		size = int(fi.Size())
	} else {
		src, _ = writeRandom(b, benchDir(b, uint64(size)), "src", size)
	}
	// Made here, not in the first upload that needs it, so that timing
	// whole processes of one contender each charges it to every one.
	rsaKey(b)
	return &benchEnv{client: client, bucket: bucket, store: st, src: src, size: size}
}

// timeIt runs f and returns MB/s and the CPU seconds the process used
// meanwhile (client and in-process endpoint together).
func (e *benchEnv) timeIt(b *testing.B, name string, f func() error) (mbps, cpu float64) {
	b.Helper()
	runtime.GC()
	cpu0 := cpuSeconds()
	start := time.Now()
	if err := f(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return float64(e.size) / (1 << 20) / time.Since(start).Seconds(), cpuSeconds() - cpu0
}

// contender is one way of moving the file; run does it once, in round i.
type contender struct {
	name string // metric prefix
	run  func(i int) error
}

// rounds runs every contender b.N times. Round i starts with contender
// i mod len(cs) and goes on in order, so each one goes first as often as
// the others and all see the same load. It reports the median MB/s and CPU
// seconds of each, and the median over the rounds of ours (cs[0]) against
// each other one, taken within the same round. The peak heap is that of
// ours.
func (e *benchEnv) rounds(b *testing.B, cs []contender) {
	b.Helper()
	mbps := make([][]float64, len(cs))
	cpu := make([][]float64, len(cs))
	var peak uint64
	for i := range b.N {
		for k := range cs {
			j := (i + k) % len(cs)
			var stop func() uint64
			if j == 0 {
				runtime.GC()
				stop = peakHeap()
			}
			m, c := e.timeIt(b, cs[j].name, func() error { return cs[j].run(i) })
			if stop != nil {
				peak = max(peak, stop())
			}
			mbps[j] = append(mbps[j], m)
			cpu[j] = append(cpu[j], c)
		}
	}
	for j, c := range cs {
		b.ReportMetric(median(mbps[j]), c.name+"-MB/s")
		b.ReportMetric(median(cpu[j]), c.name+"-cpu-s")
		if j == 0 {
			continue
		}
		ratios := make([]float64, b.N)
		for i := range ratios {
			ratios[i] = mbps[0][i] / mbps[j][i]
		}
		b.ReportMetric(median(ratios), "ratio-vs-"+strings.TrimPrefix(c.name, "sdk-"))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// BenchmarkPut: -benchtime Nx runs N alternating rounds (see rounds).
func BenchmarkPut(b *testing.B) { benchPut(b, newBenchEnv(b)) }

// benchPut races ours, the SDK's plaintext UploadFile and the SDK
// encryption client on e.
func benchPut(b *testing.B, e *benchEnv) {
	sdkCrypto := cryptoBucket(b, e)
	e.rounds(b, []contender{
		oursPut(b, e),
		plainPut(e),
		{"sdk-crypto", func(int) error { return cryptoMultipart(e, sdkCrypto) }},
	})
}

// oursPut uploads e's file with our uploader, 8 MiB parts, 4 at once.
func oursPut(b *testing.B, e *benchEnv) contender {
	up := &Uploader{Store: e.store, PartSize: benchPartSize, Parts: benchParallel}
	return contender{"ours", func(int) error {
		return up.Upload(context.Background(), UploadJob{Source: e.src, Bucket: "bench", Key: "ours", Wrapper: testWrapper(b)}, nil)
	}}
}

// plainPut uploads e's file with the SDK's UploadFile, the same part size
// and parallelism.
func plainPut(e *benchEnv) contender {
	return contender{"sdk-plain", func(int) error {
		return e.bucket.UploadFile("plain", e.src, benchPartSize, oss.Routines(benchParallel))
	}}
}

// BenchmarkPutAlone runs ours and the SDK's plaintext UploadFile each in a
// benchmark of its own, so that a CPU profile shows one contender only
// (compare two with pprof -diff_base).
func BenchmarkPutAlone(b *testing.B) {
	b.Run("ours", func(b *testing.B) { e := newBenchEnv(b); e.rounds(b, []contender{oursPut(b, e)}) })
	b.Run("sdk-plain", func(b *testing.B) { e := newBenchEnv(b); e.rounds(b, []contender{plainPut(e)}) })
}

// BenchmarkGet: -benchtime Nx runs N alternating rounds (see rounds).
func BenchmarkGet(b *testing.B) { benchGet(b, newBenchEnv(b)) }

// benchGet races ours against the SDK's plaintext DownloadFile on e.
func benchGet(b *testing.B, e *benchEnv) {
	up := &Uploader{Store: e.store, PartSize: benchPartSize, Parts: benchParallel}
	if err := up.Upload(context.Background(), UploadJob{Source: e.src, Bucket: "bench", Key: "ours", Wrapper: testWrapper(b)}, nil); err != nil {
		b.Fatal(err)
	}
	if err := e.bucket.UploadFile("plain", e.src, benchPartSize, oss.Routines(benchParallel)); err != nil {
		b.Fatal(err)
	}
	down := &Downloader{Keys: testKeys(b), ChunkSize: benchPartSize, Parts: benchParallel}
	dir := benchDir(b, 2*uint64(e.size))
	e.rounds(b, []contender{
		{"ours", func(i int) error {
			dest := filepath.Join(dir, fmt.Sprint("ours", i))
			defer os.Remove(dest)
			_, err := down.Download(context.Background(), DownloadJob{Source: e.store, SourceID: "oss://bench/ours", Key: "ours", Dest: dest}, nil)
			return err
		}},
		{"sdk-plain", func(i int) error {
			dest := filepath.Join(dir, fmt.Sprint("plain", i))
			defer os.Remove(dest)
			return e.bucket.DownloadFile("plain", dest, benchPartSize, oss.Routines(benchParallel))
		}},
	})
}

// cryptoBucket is the SDK v1 encryption client with an RSA master key, set
// up as its documentation shows.
func cryptoBucket(b *testing.B, e *benchEnv) *osscrypto.CryptoBucket {
	k := rsaKey(b)
	pub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	master, err := osscrypto.CreateMasterRsa(map[string]string{"desc": "bench"}, string(pub), string(priv))
	if err != nil {
		b.Fatal(err)
	}
	cb, err := osscrypto.GetCryptoBucket(e.client, "bench", osscrypto.CreateAesCtrCipher(master))
	if err != nil {
		b.Fatal(err)
	}
	return cb
}

// cryptoMultipart uploads the file with the SDK's encryption client the
// documented way: one part at a time (the client has no parallel or
// resumable upload).
func cryptoMultipart(e *benchEnv, cb *osscrypto.CryptoBucket) error {
	ctx := osscrypto.PartCryptoContext{DataSize: int64(e.size), PartSize: benchPartSize}
	imur, err := cb.InitiateMultipartUpload("sdk-crypto", &ctx)
	if err != nil {
		return err
	}
	f, err := os.Open(e.src)
	if err != nil {
		return err
	}
	defer f.Close()
	var parts []oss.UploadPart
	for i, sp := range splitParts(int64(e.size), benchPartSize) {
		p, err := cb.UploadPart(imur, io.NewSectionReader(f, sp.Off, sp.Len), sp.Len, i+1, ctx)
		if err != nil {
			return err
		}
		parts = append(parts, p)
	}
	_, err = cb.CompleteMultipartUpload(imur, parts)
	return err
}
