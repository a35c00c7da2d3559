package ui

import (
	"errors"

	"fyne.io/fyne/v2/lang"

	"github.com/ossvault/ossvault/app"
)

// explain turns an error into one sentence for the people using the app: no
// codes without words, no stack traces, never the error's raw text when it
// could carry a secret or a server's jargon. keyName, if not nil, names the
// local key or colleague a key description belongs to. What an error comes
// to is the service's call (app.CauseOf); the words are the screens'.
func explain(err error, keyName func(matdesc string) string) string {
	if err == nil {
		return ""
	}
	if msg := explainForm(err); msg != "" {
		return msg
	}
	c := app.CauseOf(err)
	for _, words := range []func(error, app.Cause, func(string) string) string{explainDetailed, explainFiles, explainKMS, explainVault, explainTransfer} {
		if msg := words(err, c, keyName); msg != "" {
			return msg
		}
	}
	return lang.L("Something went wrong and the action was not done. Please try again.")
}

// explainForm words the mistakes the app's own forms report.
func explainForm(err error) string {
	switch {
	case errors.Is(err, errBadPassphrase):
		return lang.L("The passphrase is not right.")
	case errors.Is(err, errPassphraseMismatch):
		return lang.L("The two passphrases are not the same.")
	case errors.Is(err, errEmptyName):
		return lang.L("Please give it a name.")
	case errors.Is(err, errMissingAccessKey):
		return lang.L("Please fill in both the AccessKey ID and the AccessKey secret.")
	case errors.Is(err, errNotAKeyFile):
		return lang.L("That file is not a key: it is far too large.")
	case errors.Is(err, errNoFolder):
		return lang.L("Choose a bucket or folder first.")
	case errors.Is(err, errBadFolderName):
		return lang.L("A folder name cannot be empty or contain “/”.")
	case errors.Is(err, errNotALink):
		return lang.L("That is not a link. Paste the whole link, starting with https://.")
	}
	return ""
}

// explainDetailed words the causes whose sentence names something the
// error carries: a folder, a settings file, a key's owner, a file's name.
func explainDetailed(err error, c app.Cause, keyName func(string) string) string {
	switch c {
	case app.ReadOnlyFolder:
		var folder *app.FolderError
		errors.As(err, &folder)
		return lang.L("The folder “{{.Dir}}” cannot be written to: the disk is read-only or this computer does not allow it. Choose another download folder in Settings.", map[string]any{"Dir": folder.Dir})
	case app.OssutilMissing:
		var ossutil *app.OssutilMissingError
		errors.As(err, &ossutil)
		return lang.L("ossutil's settings were not found on this computer (looked for {{.Path}}). Set up ossutil with “ossutil config” first, or fill in the AccessKey here.", map[string]any{"Path": ossutil.Path})
	case app.UnsafeName:
		var unsafe *app.UnsafeNameError
		errors.As(err, &unsafe)
		return lang.L("Nothing was downloaded: “{{.Name}}” in this folder has a name that cannot be saved safely on this computer.", map[string]any{"Name": unsafe.Key})
	case app.NoKey:
		var noKey *app.NoKeyError
		who := ""
		if errors.As(err, &noKey) {
			if keyName != nil {
				who = keyName(noKey.MatDesc)
			}
			if who == "" {
				who = ownerFromMatDesc(noKey.MatDesc)
			}
		}
		if who == "" {
			return lang.L("This file was locked with a key that is not on this computer.")
		}
		return lang.L("This file was locked with {{.Name}}'s key, which is not on this computer.", map[string]any{"Name": who})
	}
	return ""
}

// explainFiles words what happened to files and links.
func explainFiles(_ error, c app.Cause, _ func(string) string) string {
	switch c {
	case app.Stopped:
		return lang.L("The action was stopped.")
	case app.LinkDamaged:
		return lang.L("This link is damaged or was changed: ask the sender for a new one.")
	case app.NotOSS:
		return lang.L("The server at that address answered, but it is not an OSS storage service. Check the endpoint address.")
	case app.NotVerified:
		return lang.L("This storage only accepts files protected by ossvault, and this one is not (another app uploaded it, or it is not encrypted). It was not saved.")
	case app.Integrity:
		return lang.L("This file was altered after it was uploaded. It was not saved, so nothing on this computer was changed.")
	case app.NotEncrypted:
		return lang.L("This file is not encrypted.")
	case app.NotFound:
		return lang.L("The file or folder could not be found on this computer: it was moved, renamed or deleted, or its disk is not connected. Put it back and retry, or choose it again where it is now.")
	case app.NotAllowed:
		return lang.L("This computer does not allow the app to use that file or folder.")
	case app.WrongPassphrase:
		return lang.L("The passphrase is not right.")
	case app.WeakPassphrase:
		return lang.L("Please choose a passphrase of at least {{.N}} characters.", map[string]any{"N": app.MinPassphrase})
	case app.NoKeyChosen:
		return lang.L("Choose who the files are for in “Encrypt for”, or create your key first.")
	case app.EmptyFolder:
		return lang.L("This folder has no files to download.")
	case app.LocalAppClosed:
		return lang.L("This link points to files kept on a computer running ossvault; that app must be open for the link to work. If it is open, ask for a new link.")
	case app.Unreachable:
		return lang.L("Cannot reach the storage service. Check this computer's internet connection and try again.")
	}
	return ""
}

// explainKMS words a company (KMS) key's outcomes.
func explainKMS(_ error, c app.Cause, _ func(string) string) string {
	switch c {
	case app.KMSNoCredentials:
		return lang.L("A company key works through an Alibaba Cloud account. Connect to Alibaba Cloud OSS first, then add the key.")
	case app.KMSAccessDenied:
		return lang.L("The company key would not work with this account's AccessKey. Ask your administrator to check the AccessKey and its permission to use the key.")
	case app.KMSKeyNotFound:
		return lang.L("No company key with that ID was found in that region. Check the key ID and the region your administrator gave you.")
	case app.KMSKeyDisabled:
		return lang.L("The company key is switched off or about to be deleted. Ask your administrator.")
	case app.KMSUnreachable:
		return lang.L("Cannot reach the service that keeps the company key. Check this computer's internet connection and the key's region and address, then try again.")
	}
	return ""
}

// explainVault words the key vault's outcomes.
func explainVault(_ error, c app.Cause, _ func(string) string) string {
	switch c {
	case app.KeychainLocked:
		return lang.L("This computer's keychain is locked. Unlock it (signing in to your desktop again usually does) and try again.")
	case app.KeychainUnavailable:
		return lang.L("This computer's keychain is locked or not available. Unlock it (signing in again usually does) and try again.")
	case app.KeyChanged:
		return lang.L("Warning: this is not the key saved before under this name. Someone may be pretending to be your colleague. Compare the key's code with them in person or by phone; only if they really have a new key, remove the old one and add this one.")
	case app.KeyExists:
		return lang.L("That key is already here, or another key has that name. Choose another name.")
	case app.AccountExists:
		return lang.L("A storage account with that name is already saved. Choose another name.")
	case app.KeyNotFound:
		return lang.L("That key is no longer on this computer.")
	case app.AccountNotFound:
		return lang.L("That storage account is no longer saved on this computer.")
	case app.SecretMissing:
		return lang.L("The secret half of this key or account is missing from this computer's keychain. Restore it from your backup.")
	case app.PublicOnly:
		return lang.L("That is a colleague's key: it can lock files for them, but not open them.")
	case app.NoDefaultKey:
		return lang.L("Choose which key to use by default on the Keys page.")
	case app.NotAKey:
		return lang.L("That is not a key ossvault can read. Ask for the file that begins with “-----BEGIN”.")
	}
	return ""
}

// explainTransfer words the transfer engine's outcomes, the storage
// service's refusals included.
func explainTransfer(_ error, c app.Cause, _ func(string) string) string {
	switch c {
	case app.NoSuchBucket:
		return lang.L("That storage bucket does not exist. Check its name and region.")
	case app.NoSuchObject:
		return lang.L("That file is no longer there. Someone may have moved or deleted it.")
	case app.BadCredentials:
		return lang.L("The sign-in details for this storage account are not right. Check the AccessKey ID and secret.")
	case app.ClockSkewed:
		return lang.L("This computer's clock is wrong. Set the correct date and time, then try again.")
	case app.AccessDenied:
		return lang.L("This account is not allowed to do that. Ask whoever manages it for access.")
	case app.TooManyRecipients:
		return lang.L("One file cannot be locked for that many people: OSS keeps too little room beside it (about 6 people with the keys this app makes). Choose fewer, and upload it again for the others.")
	case app.SourceChanged:
		return lang.L("The file changed while it was being copied. Try again when nobody is editing it.")
	case app.DiskFull:
		return lang.L("This computer's disk is full. Make some room, then try again.")
	case app.Exists:
		return lang.L("A different file with that name is already there, so nothing was overwritten.")
	case app.ChangedMeanwhile:
		return lang.L("Someone saved that file again while it was being renamed, so it was kept under its old name too. Both names now hold a file: open them to see which one to keep.")
	case app.InvalidName:
		return lang.L("That name cannot be used: it must not be empty, contain “/” or be very long.")
	case app.Stalled:
		return lang.L("The transfer stopped moving. Check the internet connection; it will carry on when you retry.")
	case app.LinkExpired:
		return lang.L("This link has expired. Ask for a new one.")
	case app.Paused:
		return lang.L("Paused.")
	case app.Canceled:
		return lang.L("Canceled.")
	case app.ServiceTrouble:
		return lang.L("The storage service is having trouble. Please try again in a few minutes.")
	case app.Refused:
		return lang.L("The storage service refused the request. Please try again.")
	}
	return ""
}

// ownerFromMatDesc picks a person-readable name out of a key description.
var ownerFromMatDesc = app.OwnerFromMatDesc

// Mistakes the app's own forms report.
var (
	errBadPassphrase      = errors.New("wrong passphrase")
	errPassphraseMismatch = errors.New("passphrases differ")
	errEmptyName          = errors.New("empty name")
	errMissingAccessKey   = errors.New("missing access key")
	errNotAKeyFile        = errors.New("file too large for a key")
	errNoFolder           = errors.New("no folder open")
	errBadFolderName      = errors.New("bad folder name")
	errNotALink           = errors.New("not a link")
	// The service's, which the screens also report.
	errNoKeyChosen = app.ErrNoKeyChosen
	errEmptyFolder = app.ErrEmptyFolder
	errNotAKey     = app.ErrNotAKey
	errLinkDamaged = app.ErrLinkDamaged
	errNotOSS      = app.ErrNotOSS
	// A rename that kept the old name, written again meanwhile.
	errChangedMeanwhile = app.ErrChangedMeanwhile
)

// The service's own outcomes and error shapes, under the names the
// screens and their tests use.
type (
	linkError           = app.LinkError
	folderError         = app.FolderError
	ossutilMissingError = app.OssutilMissingError
)

// inFolder marks err, met while writing into dir, as a folderError when
// the folder cannot be written.
func inFolder(dir string, err error) error { return app.InFolder(dir, err) }
