package ui

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"syscall"

	"fyne.io/fyne/v2/lang"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

// explain turns an error into one sentence for the people using the app: no
// codes without words, no stack traces, never the error's raw text when it
// could carry a secret or a server's jargon. keyName, if not nil, names the
// local key or colleague a key description belongs to.
func explain(err error, keyName func(matdesc string) string) string {
	if err == nil {
		return ""
	}
	var noKey *envelope.NoKeyError
	var folder *folderError
	var link *linkError
	var ossutil *ossutilMissingError
	switch {
	case errors.Is(err, context.Canceled):
		return lang.L("The action was stopped.")
	case errors.As(err, &folder) && unwritable(folder.Err):
		// Before the link and network cases: a read-only disk is not the
		// network's fault, nor the link's.
		return lang.L("The folder “{{.Dir}}” cannot be written to: the disk is read-only or this computer does not allow it. Choose another download folder in Settings.", map[string]any{"Dir": folder.Dir})
	case errors.Is(err, errLinkDamaged), errors.As(err, &link) && linkRefused(link.Err):
		// Whoever opens a link has no account: the storage refusing its
		// signature means the link, not sign-in details, is wrong.
		return lang.L("This link is damaged or was changed: ask the sender for a new one.")
	case errors.As(err, &ossutil):
		return lang.L("ossutil's settings were not found on this computer (looked for {{.Path}}). Set up ossutil with “ossutil config” first, or fill in the AccessKey here.", map[string]any{"Path": ossutil.Path})
	case errors.Is(err, errNotOSS):
		return lang.L("The server at that address answered, but it is not an OSS storage service. Check the endpoint address.")
	case errors.Is(err, transfer.ErrNotVerified):
		// Also an integrity error, but nothing says it was altered.
		return lang.L("This storage only accepts files protected by ossvault, and this one is not (another app uploaded it, or it is not encrypted). It was not saved.")
	case errors.Is(err, envelope.ErrIntegrity):
		return lang.L("This file was altered after it was uploaded. It was not saved, so nothing on this computer was changed.")
	case errors.As(err, &noKey):
		who := ""
		if keyName != nil {
			who = keyName(noKey.MatDesc)
		}
		if who == "" {
			who = ownerFromMatDesc(noKey.MatDesc)
		}
		if who == "" {
			return lang.L("This file was locked with a key that is not on this computer.")
		}
		return lang.L("This file was locked with {{.Name}}'s key, which is not on this computer.", map[string]any{"Name": who})
	case errors.Is(err, envelope.ErrNoKey):
		return lang.L("This file was locked with a key that is not on this computer.")
	case errors.Is(err, envelope.ErrNotEncrypted):
		return lang.L("This file is not encrypted.")
	case errors.Is(err, os.ErrNotExist):
		return lang.L("The file or folder could not be found on this computer.")
	case errors.Is(err, os.ErrPermission):
		return lang.L("This computer does not allow the app to use that file or folder.")
	case errors.Is(err, errBadPassphrase), errors.Is(err, vault.ErrWrongPassphrase):
		return lang.L("The passphrase is not right.")
	case errors.Is(err, errPassphraseMismatch):
		return lang.L("The two passphrases are not the same.")
	case errors.Is(err, errPassphraseShort):
		return lang.L("Please choose a passphrase of at least {{.N}} characters.", map[string]any{"N": vault.MinPassphrase})
	case errors.Is(err, errEmptyName):
		return lang.L("Please give it a name.")
	case errors.Is(err, errMissingAccessKey):
		return lang.L("Please fill in both the AccessKey ID and the AccessKey secret.")
	case errors.Is(err, errNotAKeyFile):
		return lang.L("That file is not a key: it is far too large.")
	case errors.Is(err, errNoFolder):
		return lang.L("Choose a bucket or folder first.")
	case errors.Is(err, errNoKeyChosen):
		return lang.L("Choose who the files are for in “Encrypt for”, or create your key first.")
	case errors.Is(err, errBadFolderName):
		return lang.L("A folder name cannot be empty or contain “/”.")
	case errors.Is(err, errNotALink):
		return lang.L("That is not a link. Paste the whole link, starting with https://.")
	case errors.Is(err, errEmptyFolder):
		return lang.L("This folder has no files to download.")
	}
	if msg := explainKMS(err); msg != "" {
		return msg
	}
	if msg := explainVault(err); msg != "" {
		return msg
	}
	if msg := explainTransfer(err); msg != "" {
		return msg
	}
	if refusedOnLoopback(err) {
		return lang.L("This link points to files kept on a computer running ossvault; that app must be open for the link to work. If it is open, ask for a new link.")
	}
	if isNetwork(err) {
		return lang.L("Cannot reach the storage service. Check this computer's internet connection and try again.")
	}
	return lang.L("Something went wrong and the action was not done. Please try again.")
}

// explainKMS covers a company (KMS) key's outcomes. It comes before the
// network cases: KMS's own network failures would otherwise read as the
// storage service's, or, on a loopback address, as a closed ossvault app's.
func explainKMS(err error) string {
	switch {
	case errors.Is(err, kms.ErrNoCredentials):
		return lang.L("A company key works through an Alibaba Cloud account. Connect to Alibaba Cloud OSS first, then add the key.")
	case errors.Is(err, kms.ErrAccessDenied):
		return lang.L("The company key would not work with this account's AccessKey. Ask your administrator to check the AccessKey and its permission to use the key.")
	case errors.Is(err, kms.ErrKeyNotFound), errors.Is(err, kms.ErrWrongRegion):
		return lang.L("No company key with that ID was found in that region. Check the key ID and the region your administrator gave you.")
	case errors.Is(err, kms.ErrKeyDisabled):
		return lang.L("The company key is switched off or about to be deleted. Ask your administrator.")
	case errors.Is(err, kms.ErrUnreachable), errors.Is(err, kms.ErrTimeout), errors.Is(err, kms.ErrUnavailable),
		errors.Is(err, kms.ErrCertificate), errors.Is(err, kms.ErrBadResponse):
		return lang.L("Cannot reach the service that keeps the company key. Check this computer's internet connection and the key's region and address, then try again.")
	}
	return ""
}

// explainVault covers the key vault's outcomes.
func explainVault(err error) string {
	switch {
	case errors.Is(err, vault.ErrKeychainLocked):
		return lang.L("This computer's keychain is locked. Unlock it (signing in to your desktop again usually does) and try again.")
	case errors.Is(err, vault.ErrKeychainUnavailable):
		return lang.L("This computer's keychain is locked or not available. Unlock it (signing in again usually does) and try again.")
	case errors.Is(err, vault.ErrKeyChanged):
		// Before ErrKeyExists: a changed key is also a taken name, and
		// much more than that.
		return lang.L("Warning: this is not the key saved before under this name. Someone may be pretending to be your colleague. Compare the key's code with them in person or by phone; only if they really have a new key, remove the old one and add this one.")
	case errors.Is(err, vault.ErrKeyExists):
		return lang.L("That key is already here, or another key has that name. Choose another name.")
	case errors.Is(err, vault.ErrAccountExists):
		return lang.L("A storage account with that name is already saved. Choose another name.")
	case errors.Is(err, vault.ErrKeyNotFound):
		return lang.L("That key is no longer on this computer.")
	case errors.Is(err, vault.ErrAccountNotFound):
		return lang.L("That storage account is no longer saved on this computer.")
	case errors.Is(err, vault.ErrSecretMissing):
		return lang.L("The secret half of this key or account is missing from this computer's keychain. Restore it from your backup.")
	case errors.Is(err, vault.ErrPublicOnly):
		return lang.L("That is a colleague's key: it can lock files for them, but not open them.")
	case errors.Is(err, vault.ErrNoDefaultKey):
		return lang.L("Choose which key to use by default on the Keys page.")
	case errors.Is(err, errNotAKey):
		return lang.L("That is not a key ossvault can read. Ask for the file that begins with “-----BEGIN”.")
	}
	return ""
}

// explainTransfer covers the transfer engine's outcomes, the storage
// service's refusals included: they reach the app as transfer's errors
// whatever speaks to OSS underneath.
func explainTransfer(err error) string {
	var re *transfer.RemoteError
	var unsafe *transfer.UnsafeNameError
	switch {
	case errors.As(err, &unsafe):
		return lang.L("Nothing was downloaded: “{{.Name}}” in this folder has a name that cannot be saved safely on this computer.", map[string]any{"Name": unsafe.Key})
	case errors.Is(err, transfer.ErrNoSuchBucket):
		return lang.L("That storage bucket does not exist. Check its name and region.")
	case errors.Is(err, transfer.ErrNoSuchObject):
		return lang.L("That file is no longer there. Someone may have moved or deleted it.")
	case errors.Is(err, transfer.ErrBadCredentials):
		// Before ErrAccessDenied, which a wrong key matches too.
		return lang.L("The sign-in details for this storage account are not right. Check the AccessKey ID and secret.")
	case errors.Is(err, transfer.ErrClockSkewed):
		return lang.L("This computer's clock is wrong. Set the correct date and time, then try again.")
	case errors.Is(err, transfer.ErrAccessDenied):
		return lang.L("This account is not allowed to do that. Ask whoever manages it for access.")
	case errors.Is(err, transfer.ErrSourceChanged):
		return lang.L("The file changed while it was being copied. Try again when nobody is editing it.")
	case errors.Is(err, transfer.ErrDiskFull):
		return lang.L("This computer's disk is full. Make some room, then try again.")
	case errors.Is(err, transfer.ErrExists):
		return lang.L("A different file with that name is already there, so nothing was overwritten.")
	case errors.Is(err, transfer.ErrStalled):
		return lang.L("The transfer stopped moving. Check the internet connection; it will carry on when you retry.")
	case errors.Is(err, transfer.ErrLinkExpired):
		return lang.L("This link has expired. Ask for a new one.")
	case errors.Is(err, transfer.ErrPaused):
		return lang.L("Paused.")
	case errors.Is(err, transfer.ErrCanceled):
		return lang.L("Canceled.")
	case errors.As(err, &re):
		return explainRefusal(re.Status)
	}
	return ""
}

// explainRefusal words a refusal that matched none of transfer's
// sentinels by its HTTP status.
func explainRefusal(status int) string {
	if status >= 500 {
		return lang.L("The storage service is having trouble. Please try again in a few minutes.")
	}
	return lang.L("The storage service refused the request. Please try again.")
}

func isNetwork(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &de) || errors.As(err, &oe) || errors.As(err, &ne) || errors.As(err, &ue)
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

// ownerFromMatDesc picks a person-readable name out of a key description
// written by this app or another client, e.g. {"owner":"Alice"} or
// {"desc":"finance"}.
func ownerFromMatDesc(md string) string {
	if md == "" {
		return ""
	}
	var m map[string]string
	if json.Unmarshal([]byte(md), &m) != nil || len(m) == 0 {
		return ""
	}
	for _, k := range []string{"owner", "name", "user", "desc", "key"} {
		if v := strings.TrimSpace(m[k]); v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.TrimSpace(m[keys[0]])
}

// Mistakes the app's own forms report.
var (
	errBadPassphrase      = errors.New("wrong passphrase")
	errPassphraseMismatch = errors.New("passphrases differ")
	// errPassphraseShort is the vault's own, so that the rule the forms
	// apply and the one Backup enforces are one rule.
	errPassphraseShort  = vault.ErrWeakPassphrase
	errEmptyName        = errors.New("empty name")
	errMissingAccessKey = errors.New("missing access key")
	errNotAKeyFile      = errors.New("file too large for a key")
	errNoFolder         = errors.New("no folder open")
	errNoKeyChosen      = errors.New("no key chosen")
	errBadFolderName    = errors.New("bad folder name")
	errNotALink         = errors.New("not a link")
	errEmptyFolder      = errors.New("no files in the folder")
	errNotAKey          = errors.New("not a readable key")
	// errLinkDamaged: text that starts like a link but cannot be one.
	errLinkDamaged = errors.New("the link is damaged or was changed")
	// errNotOSS: an endpoint that answers HTTP but not as OSS does.
	errNotOSS = errors.New("the server is not an OSS storage service")
)

// linkError is the failure of a shared link's download. A link's
// recipient has no account, so the storage's refusals mean something else
// for a link than for an account (see explain).
type linkError struct{ Err error }

func (e *linkError) Error() string { return "shared link: " + e.Err.Error() }
func (e *linkError) Unwrap() error { return e.Err }

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

// folderError is a failure to write into a folder on this computer, where
// downloads go: it names the folder so that the user knows which one to
// change.
type folderError struct {
	Dir string
	Err error
}

func (e *folderError) Error() string { return "folder " + e.Dir + ": " + e.Err.Error() }
func (e *folderError) Unwrap() error { return e.Err }

// unwritable reports a file system refusing to write: a read-only disk, or
// permissions.
func unwritable(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission)
}

// inFolder marks err, met while writing into dir, as a folderError when
// the folder cannot be written.
func inFolder(dir string, err error) error {
	var fe *folderError
	if err == nil || !unwritable(err) || errors.As(err, &fe) {
		return err
	}
	return &folderError{Dir: dir, Err: err}
}

// ossutilMissingError is an import from ossutil with no ossutil settings
// file to read.
type ossutilMissingError struct {
	Path string
	Err  error
}

func (e *ossutilMissingError) Error() string {
	return "no ossutil config at " + e.Path + ": " + e.Err.Error()
}
func (e *ossutilMissingError) Unwrap() error { return e.Err }
