package transfer

import (
	"errors"
	"strings"
	"testing"
)

// A wrong key matches ErrBadCredentials as well as ErrAccessDenied, a key
// without the permission only the latter, and a clock OSS finds wrong
// neither (it read "access denied" before); each matches no other of these
// sentinels, and its text says the main one.
func TestRemoteErrorCredentialsAndClock(t *testing.T) {
	all := []error{ErrAccessDenied, ErrBadCredentials, ErrClockSkewed, ErrNoSuchBucket, ErrNoSuchObject}
	for _, tc := range []struct {
		err  *RemoteError
		is   []error
		text string
	}{
		{&RemoteError{Op: "ListBuckets", Status: 403, Code: "InvalidAccessKeyId"}, []error{ErrAccessDenied, ErrBadCredentials}, "access denied"},
		{&RemoteError{Op: "GetObject", Status: 403, Code: "SignatureDoesNotMatch"}, []error{ErrAccessDenied, ErrBadCredentials}, "access denied"},
		{&RemoteError{Op: "GetObject", Status: 403, Code: "SecurityTokenExpired"}, []error{ErrAccessDenied, ErrBadCredentials}, "access denied"},
		{&RemoteError{Op: "GetObject", Status: 403, Code: "InvalidSecurityToken"}, []error{ErrAccessDenied, ErrBadCredentials}, "access denied"},
		{&RemoteError{Op: "PutObject", Status: 403, Code: "AccessDenied"}, []error{ErrAccessDenied}, "access denied"},
		{&RemoteError{Op: "HeadObject", Status: 403}, []error{ErrAccessDenied}, "access denied"},
		{&RemoteError{Op: "ListBuckets", Status: 403, Code: "RequestTimeTooSkewed"}, []error{ErrClockSkewed}, "clock is wrong"},
		{&RemoteError{Op: "GetObject", Status: 404, Code: "NoSuchBucket"}, []error{ErrNoSuchBucket}, "bucket does not exist"},
		{&RemoteError{Op: "GetObject", Status: 404}, []error{ErrNoSuchObject}, "object does not exist"},
		{&RemoteError{Op: "PutObject", Status: 400, Code: "InvalidArgument"}, nil, "refused the request"},
	} {
		t.Run(tc.err.Code, func(t *testing.T) {
			for _, s := range all {
				want := false
				for _, w := range tc.is {
					want = want || w == s
				}
				if got := errors.Is(tc.err, s); got != want {
					t.Errorf("errors.Is(%v, %q) = %v, want %v", tc.err, s, got, want)
				}
			}
			if !strings.Contains(tc.err.Error(), tc.text) {
				t.Errorf("%q does not say %q", tc.err.Error(), tc.text)
			}
		})
	}
}
