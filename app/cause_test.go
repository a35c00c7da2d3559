package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

// Every cause from the real errors the logic packages return, wrapped as
// they reach the service, and where two causes compete, the one that wins.
func TestCauseOf(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	remote := func(status int, code string) error {
		return &transfer.RemoteError{Op: "GetObject", Status: status, Code: code}
	}
	for _, tc := range []struct {
		name string
		err  error
		want Cause
	}{
		{"nil", nil, Unknown},
		{"anything else", errors.New("boom"), Unknown},
		{"stopped", fmt.Errorf("list: %w", context.Canceled), Stopped},
		{"read-only folder", InFolder("/media/usb", &os.PathError{Op: "open", Path: "/media/usb/a", Err: syscall.EROFS}), ReadOnlyFolder},
		{"read-only folder beats a link's refusal", &LinkError{Err: InFolder("/ro", &os.PathError{Op: "open", Err: syscall.EACCES})}, ReadOnlyFolder},
		{"a writable folder's failure is not the folder's", InFolder("/srv", transfer.ErrDiskFull), DiskFull},
		{"renamed while written again", fmt.Errorf("renamed a to b, but the old name holds a file too: %w", ErrChangedMeanwhile), ChangedMeanwhile},
		{"link unparsable", fmt.Errorf("%w: bad escape", ErrLinkDamaged), LinkDamaged},
		{"link's signature refused", &LinkError{Err: remote(403, "SignatureDoesNotMatch")}, LinkDamaged},
		{"link's form refused", &LinkError{Err: remote(400, "InvalidArgument")}, LinkDamaged},
		{"link denied", &LinkError{Err: fmt.Errorf("%w", transfer.ErrAccessDenied)}, LinkDamaged},
		{"link expired, not damaged", &LinkError{Err: fmt.Errorf("%w (%v)", transfer.ErrLinkExpired, remote(403, "AccessDenied"))}, LinkExpired},
		{"link to a deleted file", &LinkError{Err: remote(404, "NoSuchKey")}, NoSuchObject},
		{"ossutil missing", &OssutilMissingError{Path: "/home/a/.ossutilconfig", Err: os.ErrNotExist}, OssutilMissing},
		{"not OSS", fmt.Errorf("%w: http://127.0.0.1:8080", ErrNotOSS), NotOSS},
		{"not verified beats integrity", fmt.Errorf("get: %w", transfer.ErrNotVerified), NotVerified},
		{"integrity", fmt.Errorf("get: %w", envelope.ErrIntegrity), Integrity},
		{"no key, described", &envelope.NoKeyError{MatDesc: `{"owner":"Alice"}`}, NoKey},
		{"no key", envelope.ErrNoKey, NoKey},
		{"not encrypted", envelope.ErrNotEncrypted, NotEncrypted},
		{"file missing", &os.PathError{Op: "open", Path: "/x", Err: os.ErrNotExist}, NotFound},
		{"not allowed", &os.PathError{Op: "open", Path: "/x", Err: os.ErrPermission}, NotAllowed},
		{"wrong passphrase", vault.ErrWrongPassphrase, WrongPassphrase},
		{"weak passphrase", CheckPassphrase("short"), WeakPassphrase},
		{"no key chosen", ErrNoKeyChosen, NoKeyChosen},
		{"empty folder", ErrEmptyFolder, EmptyFolder},
		{"too many recipients", fmt.Errorf("upload: %w: 12 keys", envelope.ErrTooManyRecipients), TooManyRecipients},
		{"KMS without credentials", fmt.Errorf("add: %w", kms.ErrNoCredentials), KMSNoCredentials},
		{"KMS denied", kms.ErrAccessDenied, KMSAccessDenied},
		{"KMS key not found", kms.ErrKeyNotFound, KMSKeyNotFound},
		{"KMS wrong region", kms.ErrWrongRegion, KMSKeyNotFound},
		{"KMS key disabled", kms.ErrKeyDisabled, KMSKeyDisabled},
		{"KMS unreachable beats the network", fmt.Errorf("%w: %w", kms.ErrUnreachable, refused), KMSUnreachable},
		{"KMS timeout", kms.ErrTimeout, KMSUnreachable},
		{"keychain locked", vault.ErrKeychainLocked, KeychainLocked},
		{"keychain unavailable", vault.ErrKeychainUnavailable, KeychainUnavailable},
		{"key changed beats key exists", fmt.Errorf("%w: %w", vault.ErrKeyChanged, vault.ErrKeyExists), KeyChanged},
		{"key exists", vault.ErrKeyExists, KeyExists},
		{"account exists", vault.ErrAccountExists, AccountExists},
		{"key not found", vault.ErrKeyNotFound, KeyNotFound},
		{"account not found", vault.ErrAccountNotFound, AccountNotFound},
		{"secret missing", vault.ErrSecretMissing, SecretMissing},
		{"public only", vault.ErrPublicOnly, PublicOnly},
		{"no default key", vault.ErrNoDefaultKey, NoDefaultKey},
		{"not a key", fmt.Errorf("%w: asn1", ErrNotAKey), NotAKey},
		{"unsafe name", &transfer.UnsafeNameError{Key: "../x"}, UnsafeName},
		{"no such bucket", fmt.Errorf("%w (%w)", transfer.ErrNoSuchBucket, remote(404, "NoSuchBucket")), NoSuchBucket},
		{"no such object", transfer.ErrNoSuchObject, NoSuchObject},
		{"bad credentials beat access denied", fmt.Errorf("%w: %w", transfer.ErrBadCredentials, transfer.ErrAccessDenied), BadCredentials},
		{"clock skewed", transfer.ErrClockSkewed, ClockSkewed},
		{"access denied", transfer.ErrAccessDenied, AccessDenied},
		{"source changed", transfer.ErrSourceChanged, SourceChanged},
		{"disk full", transfer.ErrDiskFull, DiskFull},
		{"exists", transfer.ErrExists, Exists},
		{"stalled", transfer.ErrStalled, Stalled},
		{"link expired", transfer.ErrLinkExpired, LinkExpired},
		{"paused", transfer.ErrPaused, Paused},
		{"canceled", transfer.ErrCanceled, Canceled},
		{"invalid name", fmt.Errorf("failed to rename a: %w: the new name is empty", transfer.ErrInvalidName), InvalidName},
		{"server error", remote(503, "ServiceUnavailable"), ServiceTrouble},
		{"refused", remote(409, "BucketNotEmpty"), Refused},
		{"loopback refused", fmt.Errorf("get: %w", refused), LocalAppClosed},
		{"network", &net.DNSError{Err: "no such host", Name: "oss.example"}, Unreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CauseOf(tc.err); got != tc.want {
				t.Errorf("CauseOf(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
