package app

import (
	"context"
	"fmt"
	"io"
	"time"
)

// This file is the service contract the screens are written against. Each
// screen asks for the narrow interface it needs; Service implements them
// over vault, transfer and the local endpoint, and the screens' tests
// implement them in memory. Every method may block on the network or the
// keychain, so screens call them off their UI goroutine.

// Backend is everything the app talks to.
type Backend interface {
	Accounts() Accounts
	Storage() Storage
	Keys() Keys
	Transfers() Transfers
	Sharing() Sharing
	// Close releases what the backend holds open (the local endpoint, the
	// transfer queue). Unfinished transfers stay in the journal.
	Close() error
}

// Account is a saved connection to OSS. The secret never leaves the backend.
type Account struct {
	Name     string
	Endpoint string
	Region   string
	// Local is true for the endpoint on this computer.
	Local bool
	// VerifiedOnly: downloads accept only files protected by ossvault
	// (intact and with its tamper check); anything else is refused
	// unsaved. Storage the app creates starts with it on.
	VerifiedOnly bool
}

// Credentials is what the first-run screen collects for a cloud account.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	// SecurityToken is set for a temporary (STS) key.
	SecurityToken string
}

// Accounts lists and saves OSS connections.
type Accounts interface {
	List(ctx context.Context) ([]Account, error)
	// Add checks that the credentials work, then saves the account with its
	// secret in the keychain.
	Add(ctx context.Context, a Account, c Credentials) error
	// ImportOssutil reads ossutil's configuration file ("" for the default
	// ~/.ossutilconfig) and returns the accounts it saved.
	ImportOssutil(ctx context.Context, path string) ([]Account, error)
	// StartLocal starts the endpoint on this computer (with a demo bucket)
	// if it is not running and returns its account.
	StartLocal(ctx context.Context) (Account, error)
	// SetVerifiedOnly saves the account's VerifiedOnly setting; transfers
	// started afterwards follow it.
	SetVerifiedOnly(ctx context.Context, name string, on bool) error
}

// Location is a folder: an account's bucket and a prefix ending in "/" (or
// "" for the top of the bucket).
type Location struct {
	Account string
	Bucket  string
	Prefix  string
}

// Entry is one row of a folder listing.
type Entry struct {
	// Name is the last path element, without the trailing "/" of a folder.
	Name string
	// Key is the full object key (with the trailing "/" for a folder).
	Key      string
	Folder   bool
	Size     int64
	Modified time.Time
}

// Page is one page of a listing; Next is "" on the last page.
type Page struct {
	Entries []Entry
	Next    string
}

// LockKind says who can open an object.
type LockKind int

const (
	// LockUnknown: not looked up yet.
	LockUnknown LockKind = iota
	// LockMine: a key of mine on this computer opens it.
	LockMine
	// LockColleague: locked for a colleague's public key I hold.
	LockColleague
	// LockKMS: locked with a KMS key I have added.
	LockKMS
	// LockNotEncrypted: the object is stored as-is.
	LockNotEncrypted
	// LockKeyMissing: encrypted for a key that is not on this computer.
	LockKeyMissing
)

// Seal is the state of ossvault's integrity check for an object.
type Seal int

const (
	// SealUnknown: not looked up yet, or not encrypted.
	SealUnknown Seal = iota
	// SealPresent: the object carries ossvault's seal; it is checked on
	// every download.
	SealPresent
	// SealAbsent: written by another program, with no seal to check.
	SealAbsent
	// SealVerified: a download checked the seal and it matched.
	SealVerified
	// SealBroken: a download found the object altered.
	SealBroken
	// SealNotChecked: a download went through with nothing to check: the
	// object was written by another program, without ossvault's seal.
	SealNotChecked
)

// Lock is what the app shows about an object's encryption.
type Lock struct {
	Kind LockKind
	// KeyName is the local key's name, or for LockKeyMissing the best name
	// the key description gives (e.g. a colleague's name), or "".
	KeyName string
	Seal    Seal
	// ETag names the object version the lock was read from.
	ETag string
	// Writer is who signed the object's envelope, from its headers (and
	// tags) alone: the signature binds the tamper check, the name and the
	// time, so it is known before a download, which then checks the
	// content against it. Zero for an object that carries no signature;
	// an ossvault object whose signature does not check is SealBroken.
	Writer Writer
}

// Storage browses buckets and folders.
type Storage interface {
	Buckets(ctx context.Context, account string) ([]string, error)
	// List returns one page of the folder's direct children (folders and
	// objects) starting at token ("" for the first page), at most max
	// entries, in OSS's order (by key).
	List(ctx context.Context, loc Location, token string, max int) (Page, error)
	// Lock reads one object's metadata (not its content).
	Lock(ctx context.Context, loc Location, key string) (Lock, error)
	Delete(ctx context.Context, loc Location, key string) error
	// FolderSize counts the files under the folder prefix (a key ending in
	// "/"), at every depth, and adds up their sizes. It lists the whole
	// folder, page by page, so it takes a while for a large one.
	FolderSize(ctx context.Context, loc Location, prefix string) (files int, bytes int64, err error)
	// DeleteFolder deletes everything under the folder prefix, subfolders
	// included, several objects per request, and returns how many objects
	// it deleted. If some could not be, the error is a
	// *transfer.DeleteError counting them; the rest are deleted all the
	// same (screens see that as a FolderDeletion, through DeleteFolder).
	// progress, if not nil, is called from the calling goroutine with the
	// objects deleted so far and their total.
	DeleteFolder(ctx context.Context, loc Location, prefix string, progress func(deleted, total int)) (int, error)
	// NewFolder creates an empty folder named name inside loc.
	NewFolder(ctx context.Context, loc Location, name string) error
	// Rename gives the file key the name newName in its folder and returns
	// its new key. The name must be free (else transfer.ErrExists) and
	// valid (else transfer.ErrInvalidName); a folder is ErrRenameFolder.
	// An ossvault file keeps its people and reads as written by me under
	// its new name, which needs it to verify (else envelope.ErrIntegrity,
	// nothing written); another client's is copied as it is.
	Rename(ctx context.Context, loc Location, key, newName string) (newKey string, err error)
	// RenameFolder gives the folder prefix the name newName beside it and
	// returns its new prefix: every file under it renamed as Rename does
	// one. The name must be free (else transfer.ErrExists). Every copy is
	// made before any original is deleted; one that fails takes back the
	// copies made, and nothing changes. progress, if not nil, is called
	// with the files copied so far and their total.
	RenameFolder(ctx context.Context, loc Location, prefix, newName string, progress func(done, total int)) (newPrefix string, err error)
}

// FolderDeletion is what deleting a folder came to.
type FolderDeletion struct {
	// Deleted counts the files and folders deleted.
	Deleted int
	// Failed counts those that could not be deleted, the others having
	// been, and Why is the first reason; 0 and nil when all went.
	Failed int
	Why    error
}

// KeyKind groups keys the way the keys screen shows them.
type KeyKind int

const (
	// KeyMine is a key pair whose private half is on this computer.
	KeyMine KeyKind = iota
	// KeyColleague is a colleague's public key: it can only lock files.
	KeyColleague
	// KeyKMS is an Alibaba Cloud KMS key.
	KeyKMS
)

// Key is a key as the keys screen lists it.
type Key struct {
	Name        string
	Kind        KeyKind
	Fingerprint string
	// MatDesc is the key description other programs see ("" if none).
	MatDesc string
	Default bool
	// SigningCode is the code of the key that signs what the key's owner
	// uploads: for a colleague's key, the one that came with it ("" for a
	// key added without one); for mine, this computer's ("" until the
	// first upload or export makes it).
	SigningCode string
	// Compared says that a colleague's codes were compared with the
	// colleague, by phone or in person (MarkCompared).
	Compared bool
}

// KMSKey is what "Add a KMS key" collects.
type KMSKey struct {
	Name     string
	KeyID    string
	Region   string
	Endpoint string // optional
	// Account is the cloud account whose AccessKey reaches the key; empty
	// means the first one.
	Account string
}

// Keys manages my keys, colleagues' keys and KMS keys.
type Keys interface {
	List(ctx context.Context) ([]Key, error)
	// Generate makes a new RSA key pair of bits (3072 by default). It takes
	// a few seconds.
	Generate(ctx context.Context, name string, bits int) (Key, error)
	ImportPrivate(ctx context.Context, name string, pem []byte) (Key, error)
	AddPublic(ctx context.Context, name string, pem []byte) (Key, error)
	AddKMS(ctx context.Context, k KMSKey) (Key, error)
	ExportPublic(ctx context.Context, name string) ([]byte, error)
	// MarkCompared records that a colleague's codes (Fingerprint and
	// SigningCode) were read out by the colleague and matched.
	MarkCompared(ctx context.Context, name string) error
	SetDefault(ctx context.Context, name string) error
	Remove(ctx context.Context, name string) error
	// Backup writes every key as one file protected by passphrase.
	Backup(ctx context.Context, w io.Writer, passphrase string) error
	// Restore reads a backup written by Backup.
	Restore(ctx context.Context, r io.Reader, passphrase string) error
	// PublishCard puts the contact card of my key keyName, under the name
	// colleagues know me by, in loc's bucket (CardsPrefix).
	PublishCard(ctx context.Context, loc Location, keyName, name string) error
	// Cards lists the cards published in loc's bucket, compared with my
	// keys, and how many objects there did not read as cards.
	Cards(ctx context.Context, loc Location) (cards []SeenCard, unreadable int, err error)
}

// JobID names a transfer.
type JobID string

// JobKind is the direction of a transfer.
type JobKind int

const (
	Upload JobKind = iota
	Download
)

// JobState is where a transfer is.
type JobState int

const (
	JobQueued JobState = iota
	JobRunning
	JobPaused
	JobDone
	JobFailed
	JobCanceled
)

// Finished reports whether the job will make no more progress by itself.
func (s JobState) Finished() bool { return s == JobDone || s == JobFailed || s == JobCanceled }

// JobPhase is what a running transfer is doing: moving bytes, or reading
// its file on this computer without moving any, which takes a while for a
// large file.
type JobPhase int

const (
	// JobTransferring: bytes move over the network.
	JobTransferring JobPhase = iota
	// JobReading: a resumed download re-reads what an earlier run saved.
	JobReading
	// JobChecking: a finished download reads its file back before it
	// gets its name.
	JobChecking
)

// Job is a snapshot of one transfer.
type Job struct {
	ID   JobID
	Kind JobKind
	// Name is what the user recognises: the file's name.
	Name string
	// Group ties the jobs of one request for several files (a dropped
	// folder, a folder download) together, "" for a job on its own;
	// GroupName is the folder's name, or "" when the files came loose.
	Group, GroupName string
	// Local is the file on this computer (source or destination).
	Local string
	// Remote is the object's key and where it lives.
	Remote Location
	Key    string
	State  JobState
	Done   int64
	Total  int64 // -1 when unknown
	// Speed is in bytes per second, ETA is zero when unknown.
	Speed   float64
	ETA     time.Duration
	Started time.Time
	// Phase is what a running job is doing. Outside JobTransferring it
	// reads its file, PhaseDone of PhaseTotal bytes so far, while Done
	// and Total stay where the transfer left them.
	Phase                 JobPhase
	PhaseDone, PhaseTotal int64
	Err                   error
	// Retryable: the job failed, and Retry may help; not when the file was
	// altered or is gone, a link expired, or no key here opens it, which
	// fail the same way every time.
	Retryable bool
	// Seal is what a finished or refused download found out about the
	// object's integrity (SealVerified, SealNotChecked or SealBroken), and
	// ETag the version it checked; SealUnknown otherwise.
	Seal Seal
	ETag string
	// Writer is who signed a download that verified; zero otherwise.
	Writer Writer
}

// Writer is what a verified download says about who wrote the file.
type Writer struct {
	// Signed: the file carries its writer's signature, which verified.
	// A file from another app, or from an ossvault before signatures, is
	// not signed.
	Signed bool
	// Name is the colleague (or my own key) who signed it; "" when the
	// signer is not among my keys, which Fingerprint then identifies.
	Name, Fingerprint string
	// Me: the signature is this computer's own.
	Me bool
	// UploadedAs is where the writer uploaded it (oss://BUCKET/KEY), and
	// Moved is true when that is not where it was read: a copy under
	// another name, or a file swapped for another.
	UploadedAs string
	UploadedAt time.Time
	Moved      bool
}

// UploadRequest uploads files and folders (recursively, keeping their names
// and relative paths) into a folder, encrypted for one key.
type UploadRequest struct {
	Paths  []string
	Dest   Location
	KeyFor string
	// AlsoFor are more keys the files are locked for, after KeyFor: one
	// object, one data key, wrapped for each. KeyFor's wrap is the one the
	// official SDKs see. An upload whose wraps do not fit the object's
	// metadata fails before anything is queued (envelope.ErrTooManyRecipients).
	AlsoFor []string
	// Existing says what to do with files whose name is already taken in
	// the destination. The zero value, AskExisting, uploads nothing and
	// returns an *ExistsError naming them, so that the user is asked: a
	// shared bucket's file must never be replaced without a word.
	Existing Existing
	// PerKey answers for single files, by object key (Dest.Prefix and the
	// file's path inside what was dropped), over Existing: the files of
	// one dropped folder can each get their own answer. An answer only
	// matters if the name is taken when the upload is planned: a file
	// answered Skip whose name is free by then goes up all the same.
	PerKey map[string]Existing
}

// Existing is what an upload does with names already taken.
type Existing int

const (
	AskExisting     Existing = iota // refuse with *ExistsError naming the unanswered names
	ReplaceExisting                 // replace them
	KeepBoth                        // upload under a free name: "a (2).pdf"
	SkipExisting                    // upload only the files whose name is free
)

// ExistsError is an upload refused because some of its files' names are
// already taken in the destination (UploadRequest.Existing).
type ExistsError struct {
	Names []string // object keys, in upload order
	Total int      // files in the upload
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%d of %d files already exist in the destination", len(e.Names), e.Total)
}

// Transfers is the background queue.
type Transfers interface {
	Upload(ctx context.Context, req UploadRequest) ([]JobID, error)
	// Download saves the object into dir (a folder on this computer).
	Download(ctx context.Context, loc Location, key, dir string) (JobID, error)
	// DownloadFolder saves every file under the folder prefix (a key
	// ending in "/") into dir as "<folder name>/...", one job per file,
	// and returns the folder it made. Like a file, the folder never
	// replaces one already there: it becomes "<folder name> (2)" and so
	// on. A folder holding no file is ErrEmptyFolder; an object whose name
	// cannot be saved safely refuses the whole folder (transfer.ErrUnsafeName)
	// before any job starts.
	DownloadFolder(ctx context.Context, loc Location, prefix, dir string) (local string, ids []JobID, err error)
	// Jobs lists every job the queue knows, unfinished ones from earlier
	// runs included, oldest first.
	Jobs() []Job
	// Subscribe calls fn from a background goroutine for every state change
	// and progress update until the returned function is called.
	Subscribe(fn func(Job)) (stop func())
	Pause(id JobID) error
	Resume(id JobID) error
	Cancel(id JobID) error
	Retry(id JobID) error
	// Remove takes an ended transfer (done, canceled or failed) off the
	// list. A failed one's partial upload or download is thrown away too,
	// as Cancel does, so that it does not come back after a restart.
	// notEnded is true when the transfer is queued, running or paused:
	// it stays on the list, and err says so. With any other error it is
	// off the list all the same, and err says what it left behind.
	Remove(id JobID) (notEnded bool, err error)
	// SetParallel sets how many transfers run at once, from now on:
	// running ones keep going even when n is lower.
	SetParallel(n int)
}

// Shared is a link made by Share.
type Shared struct {
	Link string
	// Key is the object the link opens: the file itself, or the copy
	// locked for the colleague that Share wrote next to it.
	Key string
}

// Sharing makes and opens expiring links.
type Sharing interface {
	// Share makes sure the object opens with the colleague's key (locking a
	// copy for it if needed) and returns a link that expires after expires.
	// Locking a copy reads the whole file, and for a file ossvault wrote
	// sends only its new envelope, the server copying the ciphertext; for
	// another client's file, or a server that does not copy, it sends the
	// whole file encrypted again. progress, if not nil,
	// is called from the calling goroutine with the bytes done and the
	// total. When ctx ends, no partial copy stays in the bucket and no
	// plaintext on this computer.
	Share(ctx context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error)
	// OpenLink downloads and decrypts a shared link into dir, with no
	// account.
	OpenLink(ctx context.Context, link, dir string) (JobID, error)
	// ExpiredCopies lists the copies Share made whose link has expired.
	ExpiredCopies(ctx context.Context) ([]SharedCopy, error)
	// RemoveCopies deletes such copies from their buckets and the list.
	RemoveCopies(ctx context.Context, copies []SharedCopy) error
	// CopiesOf lists the copies Share made of the file key, or of the
	// files under the folder key (ending in "/"), from the list on this
	// computer: no request, so a confirmation can ask it at once.
	CopiesOf(loc Location, key string) ([]SharedCopy, error)
}
