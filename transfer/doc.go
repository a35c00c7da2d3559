// Package transfer moves files to and from OSS, encrypted on this computer in
// OSS's client-side-encryption format, and survives flaky networks and
// restarts.
//
// The pieces, one concern each:
//
//   - Store (store.go) is the boundary to OSS: the handful of object and
//     multipart calls an upload or a download makes. Bucket and Service
//     (oss.go) add what the app and the command line do with a bucket and
//     an account; a Connector opens a Service from a Conn (conn.go, which
//     also builds the one HTTP client every request goes through). The
//     package itself never imports the OSS SDK: transfer/osssdk implements
//     these with the official SDK v1, and turns its errors into this
//     package's (RemoteError and the sentinels). Link (link.go) implements
//     the read half over a presigned URL; Retrying (retry.go) layers
//     backoff on any Store. Lister (list.go) reads a bucket's listing a
//     page at a time.
//   - Upload (upload.go) encrypts one file into one object: a single PUT
//     below the multipart threshold, else a multipart upload whose parts are
//     encrypted at their own counter offsets and sent in parallel. Each
//     byte of the file is read once: a part is read into memory, encrypted
//     and hashed into its integrity leaves there, and sent from there, so
//     what is stored is what is authenticated. The leaves go to the journal
//     (the record's leaves file, journal_leaves.go, appended to and synced)
//     before the part is sent; a part sent again on a resume must hash the
//     same, or the upload starts over under a fresh data key. A pause lets
//     the parts in flight finish for a moment (drain.go). The MAC is
//     written as the object's tags after CompleteMultipart (see the
//     envelope package), and Download reads them back.
//   - Download (download.go, download_run.go) reads one object with parallel ranged GETs
//     pinned to one version, decrypts each range in place into a hidden
//     temporary file beside the destination, checks ossvault's MAC, and
//     renames the file into place only when everything checked out.
//   - The journal (journal.go) records unfinished uploads and downloads
//     under OSSVAULT_HOME so that they resume after a restart. It holds the
//     wrapped data key exactly as the object's headers carry it, never a
//     plaintext key. What a job cannot resume without but must not write to
//     a file (the data key of an upload for a colleague's public key, a
//     shared link) goes to JobSecrets (secrets.go), the OS keychain through
//     the vault, and is deleted when the job ends, when its record is
//     abandoned for longer than MaxRecordAge (Journal.Expire), or when the
//     key an upload is locked for is removed (Journal.ForgetKey).
//     A record is run by one process at a time: an upload holds its OS file
//     lock (Journal.Lock, journal_lock.go) while it runs, and a second
//     process fails at once with ErrRunningElsewhere. Every path that
//     forgets an upload record aborts its server-side upload, or, where it
//     cannot, leaves an orphan note; Journal.Own lists the unfinished
//     uploads this journal started and AbortOwn ends them (orphans.go).
//   - Queue (queue.go) runs jobs with bounded concurrency, changeable while
//     it runs (queue_limits.go), publishes events for every state change and
//     for progress (a download's last event carries its integrity outcome),
//     and pauses, resumes, cancels, retries and removes jobs. Told to, it
//     keeps every job in the journal until it ends, so that jobs not yet
//     started come back after a restart too, and those the user paused come
//     back paused (queue_journal.go); Close stops every job as the program
//     ends without counting as the user's pause. Retryable says which
//     failures a retry may cure.
//   - A queued job is described by names alone, a JobDesc (jobdesc.go):
//     account, bucket, object, file, key names, and the program that queued
//     it. AddJob resolves one through a Resolver (account to store, key name
//     to wrapper), the journal keeps it as it is, and RestoreJobs resolves
//     it again, for the program that queued it only.
//
// The package never imports a user-interface toolkit, so the command line,
// the desktop app and the tests drive the same engine.
package transfer
