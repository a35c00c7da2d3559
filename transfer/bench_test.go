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
	"strconv"
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
// machine. Run with:
//
//	go test -run '^$' -bench . -benchtime 1x ./transfer

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
	srv    *osstest.Server
	client *oss.Client
	bucket *oss.Bucket
	store  *OSS
	src    string
	size   int
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	size := benchSize(b)
	srv := osstest.Start(b, osstest.WithBuckets("bench"), osstest.WithDir(benchDir(b, 6*uint64(size))))
	client, err := Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret}.Client()
	if err != nil {
		b.Fatal(err)
	}
	bucket, _ := client.Bucket("bench")
	st, _ := NewOSS(client, "bench")
	src, _ := writeRandom(b, benchDir(b, uint64(size)), "src", size)
	return &benchEnv{srv: srv, client: client, bucket: bucket, store: st, src: src, size: size}
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

func BenchmarkPut(b *testing.B) {
	e := newBenchEnv(b)
	up := &Uploader{Store: e.store, PartSize: benchPartSize, Parts: benchParallel}
	sdkCrypto := cryptoBucket(b, e)
	for range b.N {
		runtime.GC()
		stop := peakHeap()
		ours, oursCPU := e.timeIt(b, "ossvault put", func() error {
			return up.Upload(context.Background(), UploadJob{Source: e.src, Bucket: "bench", Key: "ours", Wrapper: testWrapper(b)}, nil)
		})
		peak := stop()
		plain, plainCPU := e.timeIt(b, "SDK UploadFile", func() error {
			return e.bucket.UploadFile("plain", e.src, benchPartSize, oss.Routines(benchParallel))
		})
		crypto, cryptoCPU := e.timeIt(b, "SDK CryptoBucket", func() error { return cryptoMultipart(e, sdkCrypto) })
		b.ReportMetric(ours, "ours-MB/s")
		b.ReportMetric(plain, "sdk-plain-MB/s")
		b.ReportMetric(crypto, "sdk-crypto-MB/s")
		b.ReportMetric(ours/plain, "ratio-vs-plain")
		b.ReportMetric(ours/crypto, "ratio-vs-crypto")
		b.ReportMetric(oursCPU, "ours-cpu-s")
		b.ReportMetric(plainCPU, "sdk-plain-cpu-s")
		b.ReportMetric(cryptoCPU, "sdk-crypto-cpu-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}

func BenchmarkGet(b *testing.B) {
	e := newBenchEnv(b)
	up := &Uploader{Store: e.store, PartSize: benchPartSize, Parts: benchParallel}
	if err := up.Upload(context.Background(), UploadJob{Source: e.src, Bucket: "bench", Key: "ours", Wrapper: testWrapper(b)}, nil); err != nil {
		b.Fatal(err)
	}
	if err := e.bucket.UploadFile("plain", e.src, benchPartSize, oss.Routines(benchParallel)); err != nil {
		b.Fatal(err)
	}
	down := &Downloader{Keys: testKeys(b), ChunkSize: benchPartSize, Parts: benchParallel}
	dir := benchDir(b, 2*uint64(e.size))
	for i := range b.N {
		dest := filepath.Join(dir, fmt.Sprint("ours", i))
		runtime.GC()
		stop := peakHeap()
		ours, oursCPU := e.timeIt(b, "ossvault get", func() error {
			_, err := down.Download(context.Background(), DownloadJob{Source: e.store, SourceID: "oss://bench/ours", Key: "ours", Dest: dest}, nil)
			return err
		})
		peak := stop()
		plain, plainCPU := e.timeIt(b, "SDK DownloadFile", func() error {
			return e.bucket.DownloadFile("plain", filepath.Join(dir, fmt.Sprint("plain", i)), benchPartSize, oss.Routines(benchParallel))
		})
		b.ReportMetric(ours, "ours-MB/s")
		b.ReportMetric(plain, "sdk-plain-MB/s")
		b.ReportMetric(ours/plain, "ratio-vs-plain")
		b.ReportMetric(oursCPU, "ours-cpu-s")
		b.ReportMetric(plainCPU, "sdk-plain-cpu-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		os.Remove(dest)
		os.Remove(filepath.Join(dir, fmt.Sprint("plain", i)))
	}
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
