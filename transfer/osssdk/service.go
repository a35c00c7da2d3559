// Package osssdk is the one door to the official Alibaba Cloud OSS SDK
// (v1): the only package of the program that imports it (a test in
// internal/layering fails otherwise). It implements transfer's Service and
// Bucket, and speaks only in transfer's terms: its errors are
// transfer.RemoteError (matching transfer's sentinels), CertificateError,
// or a network failure, never an SDK type.
//
// Every request goes through the HTTP client of transfer.Conn.HTTPClient,
// so the rule "https anywhere, plain http only to this computer", the
// timeouts and the hello with the app's own store hold whatever the SDK
// does. Every body sent or read whole has its CRC-64 compared with the
// server's, so a body damaged in transit fails the call (and Retrying
// sends it again): by the SDK, or, for the bodies of Put and UploadPart,
// by the adapter itself with a faster CRC (crc.go). The SDK's own retries
// are off, since the transfer engine retries.
package osssdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/transfer"
)

// Connect is a transfer.Connector over the SDK.
func Connect(c transfer.Conn) (transfer.Service, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	connect, rw := c.Timeouts()
	opts := []oss.ClientOption{
		oss.Timeout(int64(connect.Seconds()), int64(rw.Seconds())),
		oss.HTTPClient(c.HTTPClient()), // one, so both clients share its connections
	}
	if c.PathStyle() {
		opts = append(opts, oss.ForcePathStyle(true))
	}
	if c.SecurityToken != "" {
		opts = append(opts, oss.SecurityToken(c.SecurityToken))
	}
	if c.Region != "" {
		opts = append(opts, oss.Region(c.Region))
	}
	client, err := oss.New(c.Endpoint, c.AccessKeyID, c.AccessKeySecret, append(opts, oss.EnableCRC(true))...)
	if err != nil {
		return nil, fmt.Errorf("failed to set up the OSS client: %w", err)
	}
	raw, err := oss.New(c.Endpoint, c.AccessKeyID, c.AccessKeySecret, append(opts, oss.EnableCRC(false))...)
	if err != nil {
		return nil, fmt.Errorf("failed to set up the OSS client: %w", err)
	}
	return &service{client: client, raw: raw}, nil
}

// service is one account's SDK clients, over one HTTP client whose
// connections every bucket it opens reuses: client checks the SDK's
// CRC-64 of what it sends and reads whole, raw leaves that to the adapter
// (see bucket).
type service struct {
	client *oss.Client
	raw    *oss.Client
}

var _ transfer.Connector = Connect

func (s *service) ListBuckets(ctx context.Context) ([]string, error) {
	var out []string
	marker := ""
	for {
		var r oss.ListBucketsResult
		err := bound(ctx, func() (err error) {
			r, err = s.client.ListBuckets(oss.Marker(marker), oss.WithContext(ctx))
			return err
		})
		if err := remoteError("ListBuckets", err); err != nil {
			return nil, fmt.Errorf("failed to list the buckets: %w", err)
		}
		for _, b := range r.Buckets {
			out = append(out, b.Name)
		}
		if !r.IsTruncated || r.NextMarker == "" {
			return out, nil
		}
		marker = r.NextMarker
	}
}

func (s *service) CheckKey(ctx context.Context) error {
	err := bound(ctx, func() error {
		_, err := s.client.ListBuckets(oss.MaxKeys(1), oss.WithContext(ctx))
		return err
	})
	err = remoteError("ListBuckets", err)
	var re *transfer.RemoteError
	if errors.As(err, &re) && re.Code == "AccessDenied" {
		return nil // OSS checked the signature, so it knows the key
	}
	return err
}

func (s *service) CreateBucket(ctx context.Context, name string) error {
	if err := checkBucketName(name); err != nil {
		return err
	}
	return transfer.DefaultPolicy.Do(ctx, func() error {
		return remoteError("PutBucket", bound(ctx, func() error { return s.client.CreateBucket(name, oss.WithContext(ctx)) }))
	})
}

func (s *service) Bucket(name string) (transfer.Bucket, error) {
	if err := checkBucketName(name); err != nil {
		return nil, err
	}
	b, err := s.client.Bucket(name)
	if err != nil {
		return nil, fmt.Errorf("failed to use bucket %q: %w", name, err)
	}
	raw, err := s.raw.Bucket(name)
	if err != nil {
		return nil, fmt.Errorf("failed to use bucket %q: %w", name, err)
	}
	return &bucket{b: b, raw: raw}, nil
}

// bound runs call, a request of the SDK's Client, and returns when it does
// or when ctx ends, whichever comes first. The SDK sends a Client's own
// requests (ListBuckets, CreateBucket) without the context it is given,
// so a server that accepts the connection and never answers held the
// caller for the transport's full read timeout, a minute, whatever its
// deadline or Cancel said. The abandoned request ends at that timeout.
func bound(ctx context.Context, call func() error) error {
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
