package transfer

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
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

// Check refuses a Conn no request should be made with: an endpoint
// CheckEndpoint refuses, or no access key (ErrNoCredentials). A Connector
// calls it before it builds anything.
func (c Conn) Check() error {
	if err := CheckEndpoint(c.Endpoint); err != nil {
		return err
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return ErrNoCredentials
	}
	return nil
}

// Timeouts are the connect and read-write timeouts, 10 and 60 seconds
// where c gives none.
func (c Conn) Timeouts() (connect, readWrite time.Duration) {
	t := httpTimeouts{connect: time.Duration(c.ConnectTimeout) * time.Second, rw: time.Duration(c.ReadWriteTimeout) * time.Second}.orDefault()
	return t.connect, t.rw
}

// PathStyle reports whether the endpoint must be addressed path style
// (localhost/BUCKET/KEY): a plain-http endpoint is on this computer, and
// virtual-host style would dial BUCKET.localhost, a name only a resolver
// can answer.
func (c Conn) PathStyle() bool {
	u, err := url.Parse(c.Endpoint)
	return err == nil && strings.EqualFold(u.Scheme, "http")
}

// HTTPClient returns the HTTP client every request to c's endpoint must
// go through, whatever speaks OSS's protocol on top of it: plain http
// dials only loopback IPs, no redirect may leave https, each read and
// write must move within the read-write timeout, and Dial (if set) opens
// the connections.
func (c Conn) HTTPClient() *http.Client {
	connect, rw := c.Timeouts()
	return newHTTPClient(httpTimeouts{connect: connect, rw: rw}, c.rootCAs, c.Dial)
}
