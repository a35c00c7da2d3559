package transfer

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// The network-like link of the WAN benchmarks: every request waits
// wanLatency before the endpoint handles it, and every connection carries
// at most wanRate bytes per second each way, as one TCP connection over a
// long path is held back by its window and round trip. Parallel parts then
// pay off, as they do for users, whereas over bare loopback every
// contender is bound by the CPU. OSSVAULT_BENCH_WAN_RATE (bytes per second)
// replaces wanRate, to see how the figures move with the line;
// OSSVAULT_BENCH_WAN_LOG=1 prints the endpoint's access log to stderr.
const (
	wanLatency = 20 * time.Millisecond
	wanRate    = 25_000_000
)

func wanBenchRate(b *testing.B) int64 {
	if s := os.Getenv("OSSVAULT_BENCH_WAN_RATE"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			b.Fatalf("OSSVAULT_BENCH_WAN_RATE=%q", s)
		}
		return n
	}
	return wanRate
}

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
	faults.Throttle(wanBenchRate(b))
	faults.Add(osslocal.Fault{Action: osslocal.Latency(wanLatency)})

	opts := []osstest.Option{osstest.WithDir(benchDir(b, 6*uint64(size))), osstest.WithBuckets("bench"), osstest.WithThrottledFaults(faults)}
	if os.Getenv("OSSVAULT_BENCH_WAN_LOG") != "" {
		// Each request's start and duration show where a contender's
		// time goes: before the first request, or on the link.
		opts = append(opts, osstest.WithLogger(osslocal.LoggerFunc(func(e osslocal.LogEntry) {
			fmt.Fprintf(os.Stderr, "%s %s %s part=%d in=%d out=%d took=%s\n",
				e.Time.Format("15:04:05.000"), e.Op, e.Key, e.Part, e.In, e.Out, e.Duration.Round(time.Millisecond))
		})))
	}
	srv := osstest.Start(b, opts...)
	conn := Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret}
	client := sdkClient(b, conn)
	bucket, _ := client.Bucket("bench")
	st := openBucket(b, conn, "bench")
	src, _ := writeRandom(b, benchDir(b, uint64(size)), "src", size)
	return &benchEnv{client: client, bucket: bucket, store: st, src: src, size: size}
}

// BenchmarkPutWAN is BenchmarkPut over the network-like link.
func BenchmarkPutWAN(b *testing.B) { benchPut(b, newWANBenchEnv(b)) }

// BenchmarkGetWAN is BenchmarkGet over the network-like link.
func BenchmarkGetWAN(b *testing.B) { benchGet(b, newWANBenchEnv(b)) }
