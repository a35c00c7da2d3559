package app

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

// Cause is what an error comes to for the person using the app: the
// screens word each one, so that they need not know the logic packages'
// errors. The details a sentence names (a folder, a file name, a key
// description) are in the error itself: *FolderError, *OssutilMissingError,
// *UnsafeNameError, *NoKeyError.
type Cause int

const (
	Unknown Cause = iota
	Stopped       // context.Canceled: the user stopped it
	ReadOnlyFolder
	LinkDamaged
	OssutilMissing
	NotOSS
	NotVerified // refused by a storage that accepts only protected files
	Integrity   // altered after it was uploaded
	NoKey       // no key here opens it (*NoKeyError names its description)
	NotEncrypted
	NotFound   // a file or folder on this computer
	NotAllowed // this computer does not allow the file or folder
	WrongPassphrase
	WeakPassphrase
	NoKeyChosen
	EmptyFolder
	KMSNoCredentials
	KMSAccessDenied
	KMSKeyNotFound
	KMSKeyDisabled
	KMSUnreachable
	KeychainLocked
	KeychainUnavailable
	KeyChanged
	KeyExists
	AccountExists
	KeyNotFound
	AccountNotFound
	SecretMissing
	PublicOnly
	NoDefaultKey
	NotAKey
	UnsafeName // *UnsafeNameError names the object
	NoSuchBucket
	NoSuchObject
	BadCredentials
	ClockSkewed
	AccessDenied
	SourceChanged
	DiskFull
	Exists
	Stalled
	LinkExpired
	Paused
	Canceled
	ServiceTrouble // the storage answered with a server error
	Refused        // the storage refused, for no reason named above
	LocalAppClosed // a loopback address refused: a closed ossvault app's store
	Unreachable    // the network
	// TooManyRecipients: more people than one object's metadata holds
	// wraps for.
	TooManyRecipients
	// InvalidName: a name OSS does not take (empty, too long) or that is
	// no file's (a "/" in a new name).
	InvalidName
	// ChangedMeanwhile: a file written again while it was renamed, kept
	// under its old name as well (ErrChangedMeanwhile).
	ChangedMeanwhile
)

// NoKeyError is an object locked for a key that is not here; MatDesc is
// the key's description.
type NoKeyError = envelope.NoKeyError

// UnsafeNameError is a folder download refused for an object whose name
// cannot be saved safely; Key is its name.
type UnsafeNameError = transfer.UnsafeNameError

// CauseOf classifies err. Where an error matches more than one cause, the
// first in the order here wins: a read-only disk is not the network's
// fault, a refused link is not bad sign-in details, a strict storage's
// refusal says nothing was altered.
func CauseOf(err error) Cause {
	if err == nil {
		return Unknown
	}
	for _, f := range []func(error) Cause{causeOfApp, causeOfKMS, causeOfVault, causeOfTransfer} {
		if c := f(err); c != Unknown {
			return c
		}
	}
	switch {
	case refusedOnLoopback(err):
		return LocalAppClosed
	case isNetwork(err):
		return Unreachable
	}
	return Unknown
}

func causeOfApp(err error) Cause {
	var folder *FolderError
	var link *LinkError
	var ossutil *OssutilMissingError
	var noKey *NoKeyError
	switch {
	case errors.Is(err, context.Canceled):
		return Stopped
	case errors.As(err, &folder) && unwritable(folder.Err):
		return ReadOnlyFolder
	case errors.Is(err, ErrLinkDamaged), errors.As(err, &link) && linkRefused(link.Err):
		// Whoever opens a link has no account: the storage refusing its
		// signature means the link, not sign-in details, is wrong.
		return LinkDamaged
	case errors.As(err, &ossutil):
		return OssutilMissing
	case errors.Is(err, ErrNotOSS):
		return NotOSS
	case errors.Is(err, ErrChangedMeanwhile):
		return ChangedMeanwhile
	case errors.Is(err, transfer.ErrNotVerified):
		// Also an integrity error, but nothing says it was altered.
		return NotVerified
	case errors.Is(err, envelope.ErrIntegrity):
		return Integrity
	case errors.As(err, &noKey), errors.Is(err, envelope.ErrNoKey):
		return NoKey
	case errors.Is(err, envelope.ErrNotEncrypted):
		return NotEncrypted
	case errors.Is(err, os.ErrNotExist):
		return NotFound
	case errors.Is(err, os.ErrPermission):
		return NotAllowed
	case errors.Is(err, vault.ErrWrongPassphrase):
		return WrongPassphrase
	case errors.Is(err, ErrWeakPassphrase):
		return WeakPassphrase
	case errors.Is(err, ErrNoKeyChosen):
		return NoKeyChosen
	case errors.Is(err, ErrEmptyFolder):
		return EmptyFolder
	case errors.Is(err, envelope.ErrTooManyRecipients):
		return TooManyRecipients
	}
	return Unknown
}

// causeOfKMS covers a company (KMS) key's outcomes. They come before the
// network cases: KMS's own network failures would otherwise read as the
// storage service's, or, on a loopback address, as a closed ossvault app's.
func causeOfKMS(err error) Cause {
	switch {
	case errors.Is(err, kms.ErrNoCredentials):
		return KMSNoCredentials
	case errors.Is(err, kms.ErrAccessDenied):
		return KMSAccessDenied
	case errors.Is(err, kms.ErrKeyNotFound), errors.Is(err, kms.ErrWrongRegion):
		return KMSKeyNotFound
	case errors.Is(err, kms.ErrKeyDisabled):
		return KMSKeyDisabled
	case errors.Is(err, kms.ErrUnreachable), errors.Is(err, kms.ErrTimeout), errors.Is(err, kms.ErrUnavailable),
		errors.Is(err, kms.ErrCertificate), errors.Is(err, kms.ErrBadResponse):
		return KMSUnreachable
	}
	return Unknown
}

func causeOfVault(err error) Cause {
	switch {
	case errors.Is(err, vault.ErrKeychainLocked):
		return KeychainLocked
	case errors.Is(err, vault.ErrKeychainUnavailable):
		return KeychainUnavailable
	case errors.Is(err, vault.ErrKeyChanged):
		// Before ErrKeyExists: a changed key is also a taken name, and
		// much more than that.
		return KeyChanged
	case errors.Is(err, vault.ErrKeyExists):
		return KeyExists
	case errors.Is(err, vault.ErrAccountExists):
		return AccountExists
	case errors.Is(err, vault.ErrKeyNotFound):
		return KeyNotFound
	case errors.Is(err, vault.ErrAccountNotFound):
		return AccountNotFound
	case errors.Is(err, vault.ErrSecretMissing):
		return SecretMissing
	case errors.Is(err, vault.ErrPublicOnly):
		return PublicOnly
	case errors.Is(err, vault.ErrNoDefaultKey):
		return NoDefaultKey
	case errors.Is(err, ErrNotAKey):
		return NotAKey
	}
	return Unknown
}

// causeOfTransfer covers the transfer engine's outcomes, the storage
// service's refusals included: they reach the service as transfer's errors
// whatever speaks to OSS underneath.
func causeOfTransfer(err error) Cause {
	var re *transfer.RemoteError
	var unsafe *transfer.UnsafeNameError
	sentinels := []struct {
		err   error
		cause Cause
	}{
		{transfer.ErrNoSuchBucket, NoSuchBucket},
		{transfer.ErrNoSuchObject, NoSuchObject},
		// Before ErrAccessDenied, which a wrong key matches too.
		{transfer.ErrBadCredentials, BadCredentials},
		{transfer.ErrClockSkewed, ClockSkewed},
		{transfer.ErrAccessDenied, AccessDenied},
		{transfer.ErrSourceChanged, SourceChanged},
		{transfer.ErrDiskFull, DiskFull},
		{transfer.ErrExists, Exists},
		{transfer.ErrStalled, Stalled},
		{transfer.ErrLinkExpired, LinkExpired},
		{transfer.ErrPaused, Paused},
		{transfer.ErrCanceled, Canceled},
		{transfer.ErrInvalidName, InvalidName},
	}
	if errors.As(err, &unsafe) {
		return UnsafeName
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.cause
		}
	}
	if errors.As(err, &re) {
		if re.Status >= 500 {
			return ServiceTrouble
		}
		return Refused
	}
	return Unknown
}

// linkRefused reports a storage refusing a link for its signature or its
// form (and not because it expired): it was damaged or tampered with.
func linkRefused(err error) bool {
	if errors.Is(err, transfer.ErrLinkExpired) {
		return false
	}
	if errors.Is(err, transfer.ErrAccessDenied) {
		return true
	}
	var re *transfer.RemoteError
	return errors.As(err, &re) && re.Status == 400
}

// refusedOnLoopback reports a connection refused by this computer's own
// loopback address: a store kept by an ossvault app (a link to "This
// computer") that is closed here, or a link made on another computer, where
// "check your network" would send the user the wrong way.
func refusedOnLoopback(err error) bool {
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Addr == nil {
		return false
	}
	host, _, splitErr := net.SplitHostPort(oe.Addr.String())
	ip := net.ParseIP(host)
	return splitErr == nil && ip != nil && ip.IsLoopback()
}
