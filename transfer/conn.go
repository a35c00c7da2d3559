package transfer

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Conn is how to reach an OSS endpoint.
type Conn struct {
	Endpoint                         string // https://host[:port], or http:// to a loopback address
	Region                           string
	AccessKeyID, AccessKeySecret     string
	SecurityToken                    string
	ConnectTimeout, ReadWriteTimeout int64 // seconds; 10 and 60 if 0
	// Dial, when set, opens every connection to the endpoint instead of a
	// plain dial, e.g. to check who answers there before the SDK writes a
	// request on it (osslocal.HelloDialer). The errors it returns reach the
	// caller; mark them Permanent for Retrying not to try again.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	rootCAs *x509.CertPool // nil: the system's; tests set their own CA
}

// CheckEndpoint refuses plain http:// except to a loopback address: the
// access key's signatures and every object's envelope would otherwise
// cross the network in the clear.
func CheckEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return fmt.Errorf("the endpoint %q is not a URL like https://oss-cn-hangzhou.aliyuncs.com", endpoint)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("the endpoint %q uses plain http, which is only allowed to this computer (127.0.0.1, ::1, localhost); use https", endpoint)
	}
	return fmt.Errorf("the endpoint %q must start with https://", endpoint)
}

// IsLoopback reports whether host names this computer.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Client returns an SDK client for c, with the SDK's CRC64 checks on and
// its own retries off (the transfer engine retries). Its HTTP client is
// newHTTPClient's: plain http dials only loopback IPs and no redirect may
// leave https. A plain-http endpoint is addressed path style
// (localhost/BUCKET/KEY), since virtual-host style would dial
// BUCKET.localhost, a name only a resolver can answer.
func (c Conn) Client() (*oss.Client, error) {
	if err := CheckEndpoint(c.Endpoint); err != nil {
		return nil, err
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return nil, fmt.Errorf("no OSS credentials: use --account NAME, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET")
	}
	ct, rw := c.ConnectTimeout, c.ReadWriteTimeout
	if ct <= 0 {
		ct = 10
	}
	if rw <= 0 {
		rw = 60
	}
	hc := newHTTPClient(httpTimeouts{connect: time.Duration(ct) * time.Second, rw: time.Duration(rw) * time.Second}, c.rootCAs, c.Dial)
	opts := []oss.ClientOption{oss.EnableCRC(true), oss.Timeout(ct, rw), oss.HTTPClient(hc)}
	if u, _ := url.Parse(c.Endpoint); strings.EqualFold(u.Scheme, "http") {
		opts = append(opts, oss.ForcePathStyle(true))
	}
	if c.SecurityToken != "" {
		opts = append(opts, oss.SecurityToken(c.SecurityToken))
	}
	if c.Region != "" {
		opts = append(opts, oss.Region(c.Region))
	}
	client, err := oss.New(c.Endpoint, c.AccessKeyID, c.AccessKeySecret, opts...)
	if err != nil {
		return nil, fmt.Errorf("failed to set up the OSS client: %w", err)
	}
	return client, nil
}
