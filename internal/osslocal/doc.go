// Package osslocal is a local server that speaks Alibaba Cloud OSS's HTTP
// protocol faithfully enough for the unmodified official SDKs (Go v1 and v2)
// to work against it, signature checks, CRC-64 checks and error codes
// included.
//
// It serves three purposes: the desktop app's "try it locally" mode and the
// `ossvault serve-local` command (an offline store for a team), and the
// endpoint that the transfer engine's reliability tests and the SDK
// interoperability tests talk to.
//
// # Pieces
//
//   - [Store] keeps buckets, objects and unfinished multipart uploads.
//     [NewDiskStore] keeps them in a folder and survives restarts and crashes;
//     [NewMemoryStore] is for fast unit tests.
//   - [Server] is an [net/http.Handler] that authenticates requests (OSS
//     signatures V1 and V4, presigned URLs, STS tokens) and maps the OSS REST
//     API onto a Store. [Server.Start] runs it on a TCP address.
//   - [Faults] injects failures (error responses, connection resets,
//     latency, truncated bodies) for reliability tests.
//   - [Logger] receives one [LogEntry] per request (the access log).
//
// The osstest subpackage starts a server for a test in one call.
//
// # Addressing
//
// Requests may use path style (http://127.0.0.1:port/bucket/key), which the
// SDKs use for IP endpoints or when told to (oss.ForcePathStyle,
// UsePathStyle), or virtual-host style (Host: bucket.localhost:port, or
// bucket.<any name in Options.VirtualHostSuffixes>).
//
// # Operations
//
// Service: ListBuckets. Bucket: PutBucket, DeleteBucket, GetBucketInfo,
// GetBucketLocation, ListObjects, ListObjectsV2, ListMultipartUploads,
// DeleteMultipleObjects. Object: PutObject, GetObject, HeadObject,
// GetObjectMeta, DeleteObject, CopyObject. Multipart: InitiateMultipartUpload,
// UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts.
// Anything else gets OSS's 400/405 error shapes rather than a silent success.
package osslocal
