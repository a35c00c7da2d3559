// Package kms is ossvault's client for Alibaba Cloud KMS (API 2016-01-20),
// built on the official alibaba-cloud-sdk-go client. It wraps and unwraps
// data keys for the envelope package (it implements envelope.KMS) and adds
// what the SDK leaves to its callers: HTTPS-only endpoints, a private
// certificate authority, per-attempt timeouts, context cancellation, retries
// with backoff and jitter on transient failures only, and errors in plain
// words with sentinels (see errors.go) that never carry a secret.
//
// It takes credentials as values; where they come from (keychain, settings,
// environment) is the caller's business. A Client is safe for concurrent use.
package kms

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"

	"github.com/ossvault/ossvault/envelope"
)

var _ envelope.KMS = (*Client)(nil)

// opDecrypt names Decrypt in errors; errors.go tells decrypt failures apart.
const opDecrypt = "decrypt"

// Defaults for the zero values of Config's fields.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultRetries        = 3
	DefaultRetryDelay     = 200 * time.Millisecond
	maxRetryDelay         = 5 * time.Second
	maxRetries            = 10
)

// Config says how to reach KMS.
type Config struct {
	// Region is the KMS region, e.g. "cn-hangzhou". Keys are regional.
	Region string
	// Endpoint is optional. Empty means the public endpoint
	// kms.<Region>.aliyuncs.com over HTTPS. Otherwise "host[:port]" (HTTPS),
	// e.g. kms-vpc.<Region>.aliyuncs.com in a VPC or the endpoint of a
	// dedicated KMS instance, or a URL "https://host[:port]". Plain
	// "http://host[:port]" is accepted only for a loopback host (a local test
	// endpoint); anywhere else it fails with ErrInsecureEndpoint.
	Endpoint string
	// Credentials is the AccessKey to sign requests with; an STS token is
	// sent when SecurityToken is set.
	Credentials Credentials
	// Timeout bounds one attempt, from dialing to the last byte of the
	// answer. Zero means DefaultTimeout.
	Timeout time.Duration
	// ConnectTimeout bounds the TCP connection and TLS handshake of one
	// attempt. Zero means DefaultConnectTimeout (or Timeout, if shorter).
	ConnectTimeout time.Duration
	// Retries is how many times a transient failure (throttling, HTTP 5xx,
	// timeouts, dropped connections) is retried. Zero means DefaultRetries;
	// negative means none. Other failures are returned at once.
	Retries int
	// RetryDelay is the first wait between attempts; it doubles each time
	// (up to 5s) and is jittered. Zero means DefaultRetryDelay.
	RetryDelay time.Duration
	// CAFile is a PEM file of extra certificate authorities to trust, for
	// endpoints behind a private CA. Empty means the file named by
	// SSL_CERT_FILE, if set (Go's system pool reads that variable only on
	// some systems, so it is read here on all of them).
	CAFile string
	// RootCAs, if set, replaces the system roots and CAFile.
	RootCAs *x509.CertPool
	// Transport, if set, carries the requests instead of the built-in
	// HTTPS transport; RootCAs, CAFile and ConnectTimeout are then the
	// transport's business.
	Transport http.RoundTripper
}

// Client calls KMS. Create it with New.
type Client struct {
	region         string
	ep             endpoint
	cred           auth.Credential
	transport      http.RoundTripper
	timeout        time.Duration
	connectTimeout time.Duration
	retries        int
	retryDelay     time.Duration
}

// New checks cfg and returns a client. It does not contact KMS.
func New(cfg Config) (*Client, error) {
	if !regionRE.MatchString(cfg.Region) {
		return nil, fmt.Errorf("invalid KMS region %q: expected a region ID such as cn-hangzhou", cfg.Region)
	}
	if !cfg.Credentials.Complete() {
		return nil, ErrNoCredentials
	}
	ep, err := parseEndpoint(cfg.Region, cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	c := &Client{
		region:         cfg.Region,
		ep:             ep,
		timeout:        orDefault(cfg.Timeout, DefaultTimeout),
		connectTimeout: orDefault(cfg.ConnectTimeout, DefaultConnectTimeout),
		retries:        cfg.Retries,
		retryDelay:     orDefault(cfg.RetryDelay, DefaultRetryDelay),
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	case c.retries > maxRetries:
		c.retries = maxRetries
	}
	c.connectTimeout = min(c.connectTimeout, c.timeout)
	cr := cfg.Credentials
	if cr.SecurityToken != "" {
		c.cred = credentials.NewStsTokenCredential(cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken)
	} else {
		c.cred = credentials.NewAccessKeyCredential(cr.AccessKeyID, cr.AccessKeySecret)
	}
	c.transport = cfg.Transport
	if c.transport == nil {
		roots := cfg.RootCAs
		if roots == nil {
			caFile := cfg.CAFile
			if caFile == "" {
				caFile = os.Getenv("SSL_CERT_FILE")
			}
			if roots, err = rootCAs(caFile); err != nil {
				return nil, err
			}
		}
		c.transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: c.connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   c.connectTimeout,
			ResponseHeaderTimeout: c.timeout,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	return c, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func rootCAs(caFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("failed to read the certificate authority file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the certificate authority file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}

// Region returns the client's region.
func (c *Client) Region() string { return c.region }

// Endpoint returns the URL the client sends requests to.
func (c *Client) Endpoint() string { return c.ep.String() }

// Encrypt encrypts plaintextBase64 (at most 6 KiB, base64 as KMS expects)
// under the key keyID (a key ID, alias or ARN) and returns KMS's
// CiphertextBlob.
func (c *Client) Encrypt(ctx context.Context, keyID, plaintextBase64 string) (string, error) {
	const op = "encrypt"
	if err := c.checkKeyID(op, keyID); err != nil {
		return "", err
	}
	if plaintextBase64 == "" {
		return "", fmt.Errorf("failed to %s with KMS key %s: nothing to encrypt", op, keyID)
	}
	var blob string
	err := c.call(ctx, op, keyID, func(cl *alikms.Client) error {
		req := alikms.CreateEncryptRequest()
		req.KeyId = keyID
		req.Plaintext = plaintextBase64
		resp, err := cl.Encrypt(req)
		if err != nil {
			return err
		}
		if resp.CiphertextBlob == "" {
			return errEmptyAnswer
		}
		blob = resp.CiphertextBlob
		return nil
	})
	return blob, err
}

// Decrypt asks KMS to decrypt a CiphertextBlob; the blob names its key, so no
// key ID is needed. It returns the plaintext as KMS does: the base64 string
// that was encrypted.
func (c *Client) Decrypt(ctx context.Context, ciphertextBlob string) (string, error) {
	const op = opDecrypt
	if ciphertextBlob == "" {
		return "", c.newError(op, "", ErrInvalidCiphertext, "the wrapped key is empty")
	}
	var plaintext string
	err := c.call(ctx, op, "", func(cl *alikms.Client) error {
		req := alikms.CreateDecryptRequest()
		req.CiphertextBlob = ciphertextBlob
		resp, err := cl.Decrypt(req)
		if err != nil {
			return err
		}
		if resp.Plaintext == "" {
			return errEmptyAnswer
		}
		plaintext = resp.Plaintext
		return nil
	})
	return plaintext, err
}

// GenerateDataKey asks KMS for n random bytes (1 to 1024) and returns them
// base64-encoded, with a CiphertextBlob that Decrypt turns back into that
// same base64 string. This is how the Python SDK makes its data keys.
func (c *Client) GenerateDataKey(ctx context.Context, keyID string, n int) (plaintextBase64, ciphertextBlob string, err error) {
	const op = "generate a data key"
	if err := c.checkKeyID(op, keyID); err != nil {
		return "", "", err
	}
	if n < 1 || n > 1024 {
		return "", "", fmt.Errorf("failed to %s: %d bytes asked, KMS gives 1 to 1024", op, n)
	}
	err = c.call(ctx, op, keyID, func(cl *alikms.Client) error {
		req := alikms.CreateGenerateDataKeyRequest()
		req.KeyId = keyID
		req.NumberOfBytes = requests.NewInteger(n)
		resp, err := cl.GenerateDataKey(req)
		if err != nil {
			return err
		}
		if resp.Plaintext == "" || resp.CiphertextBlob == "" {
			return errEmptyAnswer
		}
		plaintextBase64, ciphertextBlob = resp.Plaintext, resp.CiphertextBlob
		return nil
	})
	return plaintextBase64, ciphertextBlob, err
}

// KeyInfo is what DescribeKey tells about a key.
type KeyInfo struct {
	KeyID       string
	ARN         string
	State       string // "Enabled", "Disabled", "PendingDeletion", ...
	Spec        string
	Usage       string
	Description string
}

// Usable reports whether the key can encrypt and decrypt now.
func (k KeyInfo) Usable() bool { return k.State == "Enabled" }

// DescribeKey returns a key's metadata. It is a cheap way to check, when a
// key is added, that the ID, region and credentials are right.
func (c *Client) DescribeKey(ctx context.Context, keyID string) (KeyInfo, error) {
	const op = "describe"
	if err := c.checkKeyID(op, keyID); err != nil {
		return KeyInfo{}, err
	}
	var info KeyInfo
	err := c.call(ctx, op, keyID, func(cl *alikms.Client) error {
		req := alikms.CreateDescribeKeyRequest()
		req.KeyId = keyID
		resp, err := cl.DescribeKey(req)
		if err != nil {
			return err
		}
		m := resp.KeyMetadata
		if m.KeyId == "" {
			return errEmptyAnswer
		}
		info = KeyInfo{KeyID: m.KeyId, ARN: m.Arn, State: m.KeyState, Spec: m.KeySpec, Usage: m.KeyUsage, Description: m.Description}
		return nil
	})
	return info, err
}

// errEmptyAnswer marks a 200 answer without the fields KMS always sends.
var errEmptyAnswer = errors.New("empty answer")

func (c *Client) newError(op, keyID string, kind error, words string) *Error {
	return &Error{Op: op, KeyID: keyID, Region: c.region, Endpoint: c.ep.String(), Kind: kind, words: words}
}

func (c *Client) checkKeyID(op, keyID string) error {
	if keyID == "" {
		return fmt.Errorf("failed to %s: no KMS key ID given", op)
	}
	if r := keyRegion(keyID); r != "" && r != c.region {
		return c.newError(op, keyID, ErrWrongRegion,
			"the key belongs to region "+r+" but KMS is set to region "+c.region+"; set the key's region to "+r)
	}
	return nil
}

// call runs one KMS action, retrying transient failures with exponential
// backoff and full jitter. Retrying is safe for every action used here: none
// changes state (Encrypt and GenerateDataKey just make another blob).
func (c *Client) call(ctx context.Context, op, keyID string, do func(*alikms.Client) error) error {
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, do)
		if err == nil {
			return nil
		}
		var kerr *Error
		if errors.Is(err, errEmptyAnswer) {
			kerr = c.newError(op, keyID, ErrBadResponse, "KMS answered without the expected fields")
		} else {
			kerr = c.classify(ctx, op, keyID, err)
		}
		kerr.Attempts = attempt
		if !kerr.transient || attempt > c.retries {
			return kerr
		}
		t := time.NewTimer(c.backoff(attempt))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			kerr.Err, kerr.Kind, kerr.words, kerr.transient = ctx.Err(), nil, "the operation was canceled while waiting to retry ("+kerr.words+")", false
			return kerr
		}
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.retryDelay << (attempt - 1)
	if d > maxRetryDelay || d <= 0 {
		d = maxRetryDelay
	}
	// Half fixed, half random: spreads clients that failed together without
	// ever retrying at once.
	return d/2 + rand.N(d/2+1)
}

// attempt makes one request through a fresh SDK client. The SDK client
// rewrites its own http.Client and transport on every call, so sharing one
// between goroutines races; a client per attempt is cheap (no I/O) and also
// carries this attempt's context, which the SDK has no parameter for.
func (c *Client) attempt(ctx context.Context, do func(*alikms.Client) error) error {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	conf := sdk.NewConfig()
	conf.Scheme = c.ep.scheme
	conf.AutoRetry = false
	conf.MaxRetryTime = 0
	conf.Timeout = c.timeout
	// Not an *http.Transport, so the SDK leaves its TLS and dial settings
	// alone (it would otherwise overwrite InsecureSkipVerify and DialContext
	// on every call).
	conf.Transport = contextTransport{ctx: actx, base: c.transport}
	cl, err := alikms.NewClientWithOptions(c.region, conf, c.cred)
	if err != nil {
		return err
	}
	cl.Domain = c.ep.host
	cl.SetReadTimeout(c.timeout)
	cl.SetConnectTimeout(c.connectTimeout)
	return do(cl)
}

// contextTransport attaches a context to the SDK's requests, which it builds
// without one.
type contextTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxAnswer}
	return resp, nil
}

// maxAnswer bounds what the SDK reads (it reads answers whole): KMS answers
// are a few hundred bytes, and a wrong endpoint should not fill the memory.
const maxAnswer = 1 << 20

var errAnswerTooLarge = errors.New("the answer is larger than any KMS answer")

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errAnswerTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// The SDK's kms package fills its global endpoint map lazily, without a lock,
// the first time a client is made, and this package makes a client per call,
// possibly from several goroutines at once. Filling it while the program
// initialises leaves only reads for later.
func init() { alikms.GetEndpointMap() }
