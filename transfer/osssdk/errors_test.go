package osssdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/transfer"
)

// Every shape of error the SDK returns becomes transfer's own, which
// matches transfer's sentinels: nothing above the adapter needs to know
// the SDK's types.
func TestRemoteErrorShapes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		want   []error
		not    []error
	}{
		{"service error", fmt.Errorf("x: %w", oss.ServiceError{Code: "NoSuchBucket", StatusCode: 404}), 404, []error{transfer.ErrNoSuchBucket}, nil},
		{"service error pointer", &oss.ServiceError{Code: "SignatureDoesNotMatch", StatusCode: 403}, 403, []error{transfer.ErrAccessDenied, transfer.ErrBadCredentials}, nil},
		{"permission only", oss.ServiceError{Code: "AccessDenied", StatusCode: 403}, 403, []error{transfer.ErrAccessDenied}, []error{transfer.ErrBadCredentials}},
		{"token expired", oss.ServiceError{Code: "SecurityTokenExpired", StatusCode: 403}, 403, []error{transfer.ErrBadCredentials}, nil},
		{"clock", oss.ServiceError{Code: "RequestTimeTooSkewed", StatusCode: 403}, 403, []error{transfer.ErrClockSkewed}, []error{transfer.ErrBadCredentials}},
		{"unexpected status", oss.UnexpectedStatusCodeError{}, 0, nil, []error{transfer.ErrBadCredentials}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := remoteError("HeadObject", tc.err)
			var re *transfer.RemoteError
			if !errors.As(got, &re) || re.Op != "HeadObject" || re.Status != tc.status {
				t.Fatalf("%#v, want a RemoteError for HeadObject with status %d", got, tc.status)
			}
			for _, s := range tc.want {
				if !errors.Is(got, s) {
					t.Errorf("%v does not match %q", got, s)
				}
			}
			for _, s := range tc.not {
				if errors.Is(got, s) {
					t.Errorf("%v matches %q", got, s)
				}
			}
		})
	}
	if remoteError("HeadObject", nil) != nil {
		t.Error("no error became one")
	}
	if got := remoteError("GetObject", io.ErrUnexpectedEOF); !errors.Is(got, io.ErrUnexpectedEOF) {
		t.Errorf("a network failure became %v", got)
	}
}

// CheckKey tells a wrong key from a key without the permission to list,
// over the wire, and Connect refuses what no request should be made with.
func TestCheckKey(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv := osstest.Start(t, osstest.WithFaults(faults))
	ctx := context.Background()
	good := transfer.Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret}
	svc, err := Connect(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckKey(ctx); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	wrong := good
	wrong.AccessKeySecret = "wrong"
	bad, err := Connect(wrong)
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.CheckKey(ctx); !errors.Is(err, transfer.ErrBadCredentials) {
		t.Errorf("a wrong secret: %v, want ErrBadCredentials", err)
	}
	for _, tc := range []struct {
		code string
		want error
	}{
		{"AccessDenied", nil}, // the key is known, only listing is not allowed
		{"RequestTimeTooSkewed", transfer.ErrClockSkewed},
		{"InvalidAccessKeyId", transfer.ErrBadCredentials},
	} {
		rule := faults.Add(osslocal.Fault{Op: osslocal.OpListBuckets, Action: osslocal.FailWithCode(403, tc.code)})
		if err := svc.CheckKey(ctx); (tc.want == nil) != (err == nil) || !errors.Is(err, tc.want) {
			t.Errorf("refused with %s: %v, want %v", tc.code, err, tc.want)
		}
		faults.Remove(rule)
	}

	for _, tc := range []struct {
		name string
		c    transfer.Conn
		want error
	}{
		{"no secret", transfer.Conn{Endpoint: srv.Endpoint, AccessKeyID: "id"}, transfer.ErrNoCredentials},
		{"no key", transfer.Conn{Endpoint: srv.Endpoint}, transfer.ErrNoCredentials},
		{"plain http off this computer", transfer.Conn{Endpoint: "http://oss.example", AccessKeyID: "id", AccessKeySecret: "s"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Connect(tc.c)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Connect = %v, want %v", err, tc.want)
			}
		})
	}
	if n := srv.Log.Count(osslocal.OpListBuckets); n != 5 {
		t.Errorf("%d ListBuckets reached the server, want 5", n)
	}
}
