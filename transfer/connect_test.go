package transfer

import (
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestConnector is the OSS adapter, osssdk.Connect, set by
// adapter_hook_test.go. The adapter imports this package, so this
// package's own test files cannot import it; the external test package
// built into the same test binary can, and hands it over before any test
// runs. The tests thus go through the real SDK to the local endpoint.
var TestConnector Connector

// connect opens the account c on the real adapter.
func connect(t testing.TB, c Conn) Service {
	t.Helper()
	svc, err := TestConnector(c)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// openBucket opens bucket name of the account c on the real adapter.
func openBucket(t testing.TB, c Conn, name string) Bucket {
	t.Helper()
	b, err := connect(t, c).Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sdkClient is an SDK client for c set up as the adapter sets up its own,
// for the tests and benchmarks that call the SDK directly: to compare with
// it, or to see the bucket as another OSS client does.
func sdkClient(t testing.TB, c Conn) *oss.Client {
	t.Helper()
	connect, rw := c.Timeouts()
	opts := []oss.ClientOption{oss.EnableCRC(true), oss.Timeout(int64(connect.Seconds()), int64(rw.Seconds())), oss.HTTPClient(c.HTTPClient())}
	if c.PathStyle() {
		opts = append(opts, oss.ForcePathStyle(true))
	}
	client, err := oss.New(c.Endpoint, c.AccessKeyID, c.AccessKeySecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// sdkBucket is bucket name on sdkClient.
func sdkBucket(t testing.TB, c Conn, name string) *oss.Bucket {
	t.Helper()
	b, err := sdkClient(t, c).Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
