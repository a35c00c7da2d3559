package ui

import "github.com/ossvault/ossvault/app"

// The screens speak the service contract of package app under their own
// names, so that a screen reads Account, not app.Account.

type (
	Backend        = app.Backend
	Account        = app.Account
	Credentials    = app.Credentials
	Accounts       = app.Accounts
	Location       = app.Location
	Entry          = app.Entry
	Page           = app.Page
	LockKind       = app.LockKind
	Seal           = app.Seal
	Lock           = app.Lock
	Storage        = app.Storage
	FolderDeletion = app.FolderDeletion
	KeyKind        = app.KeyKind
	Key            = app.Key
	KMSKey         = app.KMSKey
	Keys           = app.Keys
	JobID          = app.JobID
	JobKind        = app.JobKind
	JobState       = app.JobState
	Job            = app.Job
	Writer         = app.Writer
	UploadRequest  = app.UploadRequest
	Existing       = app.Existing
	ExistsError    = app.ExistsError
	Transfers      = app.Transfers
	Shared         = app.Shared
	SharedCopy     = app.SharedCopy
	// CopiesLeftError: deleted, but some copies made to share it were not.
	CopiesLeftError = app.CopiesLeftError
	SeenCard        = app.SeenCard
	Sharing         = app.Sharing
)

const (
	LockUnknown      = app.LockUnknown
	LockMine         = app.LockMine
	LockColleague    = app.LockColleague
	LockKMS          = app.LockKMS
	LockNotEncrypted = app.LockNotEncrypted
	LockKeyMissing   = app.LockKeyMissing
	SealUnknown      = app.SealUnknown
	SealPresent      = app.SealPresent
	SealAbsent       = app.SealAbsent
	SealVerified     = app.SealVerified
	SealBroken       = app.SealBroken
	SealNotChecked   = app.SealNotChecked
	KeyMine          = app.KeyMine
	KeyColleague     = app.KeyColleague
	KeyKMS           = app.KeyKMS
	Upload           = app.Upload
	Download         = app.Download
	JobQueued        = app.JobQueued
	JobRunning       = app.JobRunning
	JobPaused        = app.JobPaused
	JobDone          = app.JobDone
	JobFailed        = app.JobFailed
	JobCanceled      = app.JobCanceled
	AskExisting      = app.AskExisting
	ReplaceExisting  = app.ReplaceExisting
	SkipExisting     = app.SkipExisting
	CardNew          = app.CardNew
	CardKnown        = app.CardKnown
	CardChanged      = app.CardChanged
	CardMine         = app.CardMine
	KeepBoth         = app.KeepBoth
)

// deleteFolder deletes a folder through s and says what came of it, as a
// FolderDeletion (app.DeleteFolder).
var deleteFolder = app.DeleteFolder
