package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

var envelopeErrIntegrity = envelope.ErrIntegrity

func errAccessDeniedForTest() error {
	return fmt.Errorf("failed to check the account: %w",
		&transfer.RemoteError{Op: "ListBuckets", Status: 403, Code: "InvalidAccessKeyId", Message: "The OSS Access Key Id you provided does not exist in our records."})
}

func TestExplain(t *testing.T) {
	dnsErr := &url.Error{Op: "Get", URL: "https://oss-cn-hangzhou.aliyuncs.com", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "oss-cn-hangzhou.aliyuncs.com"}}}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"integrity", fmt.Errorf("failed to download: %w", envelope.ErrIntegrity), "altered after it was uploaded"},
		{"a colleague's key changed", fmt.Errorf("add bob: %w", vault.ErrKeyChanged), "Someone may be pretending to be your colleague"},
		{"no key named by matdesc", &envelope.NoKeyError{MatDesc: `{"owner":"Alice"}`, WrapAlg: envelope.WrapRSA}, "locked with Alice's key, which is not on this computer"},
		{"no key, matdesc of a known colleague key", fmt.Errorf("x: %w", &envelope.NoKeyError{MatDesc: `{"desc": "fin"}`}), "locked with Finance team's key"},
		{"no key without matdesc", &envelope.NoKeyError{}, "locked with a key that is not on this computer"},
		{"wrong credentials (transfer)", errAccessDeniedForTest(), "sign-in details"},
		{"access denied (transfer)", &transfer.RemoteError{Status: 403, Code: "AccessDenied"}, "not allowed"},
		{"no such bucket (transfer)", fmt.Errorf("list: %w", transfer.ErrNoSuchBucket), "bucket does not exist"},
		{"signature", fmt.Errorf("put: %w", &transfer.RemoteError{Op: "PutObject", Status: 403, Code: "SignatureDoesNotMatch"}), "sign-in details"},
		{"token expired", &transfer.RemoteError{Op: "GetObject", Status: 403, Code: "SecurityTokenExpired"}, "sign-in details"},
		{"clock wrong", &transfer.RemoteError{Op: "ListBuckets", Status: 403, Code: "RequestTimeTooSkewed"}, "clock is wrong"},
		{"refused otherwise", &transfer.RemoteError{Op: "PutObject", Status: 400, Code: "InvalidArgument"}, "refused the request"},
		{"server trouble", &transfer.RemoteError{Status: 503, Code: "ServiceUnavailable"}, "having trouble"},
		{"no network", dnsErr, "internet connection"},
		{"connection refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", errors.New("connection refused"))}, "internet connection"},
		{"link expired", transfer.ErrLinkExpired, "link has expired"},
		{"renamed while written again", fmt.Errorf("renamed a to b, but the old name holds a file too: %w", errChangedMeanwhile), "Both names now hold a file"},
		{"keychain locked", fmt.Errorf("failed to read key: %w", vault.ErrKeychainLocked), "keychain is locked. Unlock it"},
		{"keychain missing", fmt.Errorf("failed to read key: %w", vault.ErrKeychainUnavailable), "locked or not available"},
		{"disk full", transfer.ErrDiskFull, "disk is full"},
		{"local file gone", &os.PathError{Op: "open", Path: "/x", Err: os.ErrNotExist}, "could not be found on this computer: it was moved, renamed or deleted, or its disk is not connected. Put it back and retry"},
		{"canceled", context.Canceled, "stopped"},
		{"unknown", errors.New("boom: token=SECRETSECRET"), "Something went wrong"},
		{"read-only download folder", &folderError{Dir: "/media/usb", Err: &os.PathError{Op: "open", Path: "/media/usb/a.part", Err: syscall.EROFS}}, "The folder “/media/usb” cannot be written to"},
		{"download folder not allowed", inFolder("/srv/in", &os.PathError{Op: "mkdir", Path: "/srv/in", Err: syscall.EACCES}), "The folder “/srv/in” cannot be written to"},
		{"file not allowed to read", &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, "does not allow the app to use that file"},
		{"link signature changed", &linkError{Err: fmt.Errorf("get: %w", &transfer.RemoteError{Op: "GetObject", Status: 403, Code: "SignatureDoesNotMatch"})}, "This link is damaged or was changed: ask the sender for a new one."},
		{"link refused", &linkError{Err: &transfer.RemoteError{Op: "GetObject", Status: 403, Code: "AccessDenied"}}, "This link is damaged or was changed"},
		{"link malformed", &linkError{Err: &transfer.RemoteError{Op: "GetObject", Status: 400, Code: "InvalidArgument"}}, "This link is damaged or was changed"},
		{"link unparsable", fmt.Errorf("%w: bad escape", errLinkDamaged), "This link is damaged or was changed"},
		{"link expired, as a link", &linkError{Err: fmt.Errorf("%w (%v)", transfer.ErrLinkExpired, &transfer.RemoteError{Status: 403, Code: "AccessDenied"})}, "link has expired"},
		{"link to a deleted file", &linkError{Err: &transfer.RemoteError{Op: "GetObject", Status: 404, Code: "NoSuchKey"}}, "no longer there"},
		{"link into a read-only folder", &linkError{Err: inFolder("/ro", &os.PathError{Op: "open", Path: "/ro/x", Err: syscall.EROFS})}, "The folder “/ro” cannot be written to"},
		{"ossutil not set up", &ossutilMissingError{Path: "/home/a/.ossutilconfig", Err: os.ErrNotExist}, "ossutil's settings were not found on this computer (looked for /home/a/.ossutilconfig)"},
		{"not an OSS server", fmt.Errorf("%w: http://127.0.0.1:8080: bad body", errNotOSS), "not an OSS storage service"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names := func(md string) string {
				if strings.Contains(md, "fin") {
					return "Finance team"
				}
				return ""
			}
			got := explain(tc.err, names)
			if tc.want == "" {
				if got == "" {
					t.Fatal("no sentence")
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("explain(%v) = %q, want it to contain %q", tc.err, got, tc.want)
			}
			bad := []string{"SECRET", "InvalidAccessKeyId", "403", "panic", "goroutine"}
			if strings.HasPrefix(tc.name, "link") {
				// A link's recipient has no account to check.
				bad = append(bad, "AccessKey", "sign-in", "account")
			}
			for _, bad := range bad {
				if strings.Contains(got, bad) {
					t.Fatalf("explain(%v) = %q leaks %q", tc.err, got, bad)
				}
			}
		})
	}
}

func TestOwnerFromMatDesc(t *testing.T) {
	for md, want := range map[string]string{
		"":                                "",
		"not json":                        "",
		`{}`:                              "",
		`{"owner":"Alice","desc":"x"}`:    "Alice",
		`{"desc":"finance"}`:              "finance",
		`{"zeta":"z","alpha":"a"}`:        "a",
		`{"name":"  Bob  "}`:              "Bob",
		`{"ossvault-key":"k1","key":"k"}`: "k",
	} {
		if got := ownerFromMatDesc(md); got != want {
			t.Errorf("ownerFromMatDesc(%q) = %q, want %q", md, got, want)
		}
	}
}
