package transfer

import (
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// The network-like link of the WAN benchmarks: every request waits
// wanLatency before the endpoint handles it, and every connection carries
// at most wanRate bytes per second each way, as one TCP connection over a
// long path is held back by its window and round trip. Parallel parts then
// pay off, as they do for users, whereas over bare loopback every
// contender is bound by the CPU.
const (
	wanLatency = 20 * time.Millisecond
	wanRate    = 25_000_000
)

// wanBenchSize is OSSVAULT_BENCH_WAN_MB MiB, 256 by default: enough for
// some 40 parts in each transfer at the link's pace.
func wanBenchSize(b *testing.B) int {
	if s := os.Getenv("OSSVAULT_BENCH_WAN_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("OSSVAULT_BENCH_WAN_MB=%q", s)
		}
		return n << 20
	}
	return 256 << 20
}

// newWANBenchEnv is newBenchEnv behind the network-like link: the endpoint
// is served through its faults' throttled listener.
func newWANBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	size := wanBenchSize(b)
	faults := osslocal.NewFaults(1)
	faults.Throttle(wanRate)
	faults.Add(osslocal.Fault{Action: osslocal.Latency(wanLatency)})

	store, err := osslocal.NewDiskStore(benchDir(b, 6*uint64(size)))
	if err != nil {
		b.Fatal(err)
	}
	cred := osslocal.Credential{AccessKeyID: "LTAIbenchwan", AccessKeySecret: "bench-wan-secret"}
	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}, Faults: faults})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.CreateBucket("bench"); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(faults.Listener(ln)) }()
	b.Cleanup(func() {
		hs.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			b.Errorf("failed to serve the WAN endpoint: %v", err)
		}
	})

	client, err := Conn{Endpoint: "http://" + ln.Addr().String(), AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret}.Client()
	if err != nil {
		b.Fatal(err)
	}
	bucket, _ := client.Bucket("bench")
	st, _ := NewOSS(client, "bench")
	src, _ := writeRandom(b, benchDir(b, uint64(size)), "src", size)
	return &benchEnv{client: client, bucket: bucket, store: st, src: src, size: size}
}

// BenchmarkPutWAN is BenchmarkPut over the network-like link.
func BenchmarkPutWAN(b *testing.B) { benchPut(b, newWANBenchEnv(b)) }

// BenchmarkGetWAN is BenchmarkGet over the network-like link.
func BenchmarkGetWAN(b *testing.B) { benchGet(b, newWANBenchEnv(b)) }
