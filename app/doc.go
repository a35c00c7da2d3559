// Package app is ossvault's service layer: what the desktop app and the
// command line decide, in one place, between the screens (or the flags)
// and the logic packages. It names no toolkit type and imports no OSS SDK;
// the connector to OSS (transfer/osssdk.Connect) is handed in by main.
//
// It owns:
//
//   - the service contract (service.go): Backend and the narrow interfaces
//     each screen asks for (Accounts, Storage, Keys, Transfers, Sharing),
//     with the plain types they speak (Account, Location, Entry, Job, Key,
//     Lock, ...). The screens' tests implement it in memory; Service
//     implements it over vault, transfer and internal/osslocal.
//   - connections: AccountConn is how a saved account becomes a
//     transfer.Conn, for the app and the command line alike, the local
//     storage's proof of identity (osslocal's hello) included; Service
//     keeps one connection per account.
//   - the local storage "This computer" (local.go): its port, its saved
//     account and its demo bucket.
//   - planning uploads (which object keys a dropped file or folder gets,
//     through transfer.PlanUpload, and what to do with names already
//     taken), downloads into folders that never overwrite, and the durable
//     queue, restored from the transfer journal on Open.
//   - sharing: expiring links, and the copy locked for a colleague, which
//     goes from the download to the upload through memory only.
//   - key choice: who an object is locked for, as the browser shows it
//     (Lock), and the keys screen's view of the vault.
//   - what an error comes to: CauseOf classifies the logic packages' errors
//     into a small set of causes, which the screens word in the user's
//     language; the service itself returns no sentence to show.
//
// A dropped file takes these hops: the screen (ui/browser_upload.go) asks
// Transfers().Upload with the paths, the folder and the key; the service
// checks the key with the vault (vault.Wrapper), plans the object keys
// (transfer.PlanUpload), lists the destination once per folder for names
// already taken, and queues one engine job per file (transfer.Queue, kept
// in the journal), which encrypts and uploads through the connector. The
// screen hears back only through Subscribe, as Jobs.
package app
