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
//   - [HelloDialer] and [CheckHello] are the client side of the hello
//     exchange (Options.Hello): a server on a fixed address proves it holds
//     the access key before a client sends it anything, so that another
//     program that took the address while the server was down is refused
//     ([ErrImpostor]) rather than sent signed requests and files.
//
// The osstest subpackage starts a server for a test in one call.
//
// # Starting one
//
//	store, err := osslocal.NewDiskStore(dir)
//	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}})
//	err = srv.CreateBucket("demo")            // no request needed
//	endpoint, err := srv.Start("127.0.0.1:0") // "http://127.0.0.1:PORT"
//	defer srv.Close()
//
// Point the SDKs at endpoint: SDK v1 uses path style for an IP endpoint by
// itself; for "localhost" pass oss.ForcePathStyle(true) (or rely on
// virtual-host style, see below); SDK v2 needs WithUsePathStyle(true) and
// WithDisableSSL(true). Any region is accepted in V4 signatures unless
// Options.Region fixes one.
//
// # Behaviour worth knowing
//
//   - Every request must be signed with a configured credential (header or
//     presigned URL, V1 or V4); anonymous requests get 403 AccessDenied.
//     Header-signed requests more than 15 minutes from the server's clock get
//     RequestTimeTooSkewed. The x-oss-content-sha256 value is signed but a
//     hex payload hash is not checked against the body.
//   - Responses carry OSS's headers: ETag (upper-case MD5 hex, or
//     "<MD5 of part MD5s>-N" for multipart), x-oss-hash-crc64ecma (combined
//     for multipart objects), x-oss-request-id, Last-Modified, and the
//     object's stored headers and x-oss-meta-* metadata.
//   - Header names go on the wire spelt as OSS spells them, not as Go's
//     net/http would canonicalise them: every x-oss-* name in lower case
//     (user metadata included), "ETag" and "Content-MD5". The Java and C++
//     SDKs look the encryption envelope up case-sensitively and, given
//     "X-Oss-Meta-Client-Side-Encryption-Key", return ciphertext without an
//     error. Handlers therefore write these names with setRaw (headers.go),
//     never with Header.Set; a test reads them off the raw connection.
//     Last-Modified is in http.TimeFormat, XML documents have OSS's
//     declaration, no namespace, and quotes left unescaped in text; errors
//     end with EC and RecommendDoc as OSS's do.
//   - Ranges follow OSS: an invalid or unsatisfiable Range is ignored (200,
//     whole object) unless x-oss-range-behavior: standard is sent, then 416
//     InvalidRange.
//   - Client-side-encryption metadata (x-oss-meta-client-side-encryption-*)
//     is guarded as OSS guards it: CopyObject may not change it (400
//     InvalidEncryptionRequest), InitiateMultipartUpload needs a part size,
//     UploadPart must repeat the initiation's key, start, part size and
//     data size when it sends them, ListParts returns them as
//     ClientEncryption* fields. Part sizes are held to OSS's rule: every
//     part before the last exactly the part size (EC 0005-00000419), the
//     last, which the data size tells, exactly what remains of it
//     (0005-00000420), with or without Content-Length; a refused part is
//     not stored. The EC numbers are those of OSS's troubleshooting pages;
//     a data size that differs from the initiation's is refused without
//     one, as no number for it could be confirmed. Two rules are the
//     endpoint's own, for uploads initiated without a data size (where OSS
//     documents the data size as required, 0005-00000406, which is not
//     enforced here: the Go SDK v1 sends it only when it is known): no
//     part may exceed the part size, and CompleteMultipartUpload refuses
//     (0005-00000419) a listed part before the last whose size is not the
//     part size.
//   - Object names follow OSS: 1 to 1023 bytes of UTF-8, not starting with
//     "/" or "\" (400 InvalidObjectName). Bucket names: 3 to 63 lower-case
//     letters, digits and hyphens.
//   - A write that finds the store's disk full (ENOSPC, EDQUOT) answers
//     507 InsufficientStorage, "The storage's disk is full": OSS has no such
//     answer, and 500 InternalError would hide what to do about it.
//   - A disk store file damaged on its disk (cut short, its metadata
//     overwritten) keeps its object in listings, with size 0; reading it
//     answers 500 ObjectDamaged, "The stored copy of this object is
//     damaged", and it can be deleted or written over.
//   - Object tags (Put/Get/DeleteObjectTagging) follow OSS's limits (10
//     tags, keys up to 128 and values up to 256 characters) and belong to
//     one version of an object: a new write starts without any, CopyObject
//     copies them unless x-oss-tagging-directive is Replace. A disk store
//     keeps them in a file beside the object that names the version it
//     belongs to.
//   - Versioning, ACL writes, lifecycle, append, symlinks, UploadPartCopy
//     and the like answer 501 NotImplemented; see "What is refused" below.
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
// GetObjectMeta, DeleteObject, CopyObject, PutObjectTagging,
// GetObjectTagging, DeleteObjectTagging. Multipart: InitiateMultipartUpload,
// UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts.
// Configuration reads, answered as OSS answers a bucket left at its defaults
// (the SDKs' test suites and clean-up helpers ask them of every bucket):
// GetBucketAcl ("private": the owner, the store's one account, has full
// control), GetObjectACL (the x-oss-object-acl given at PutObject,
// InitiateMultipartUpload or CopyObject, else "default"; recorded and
// reported, not enforced, since every request must be signed anyway),
// ListLiveChannel (always empty), GetBucketVersioning (never enabled: no
// Status). Anything else gets OSS's 400/405 error shapes rather than a
// silent success.
//
// # What is refused
//
// These answer 501 NotImplemented, because a local single-account store
// has no such feature or because pretending to have it would mislead a
// client into relying on it:
//
//   - Writes of configuration: PutBucketAcl, PutObjectACL, PutBucketVersioning,
//     lifecycle, CORS, logging, website, referer, policy, encryption,
//     replication, inventory, WORM, QoS, CNAME, request payment, transfer
//     acceleration, access points, resource groups, styles. Accepting them
//     would promise behaviour (public reads, expiry, replication) that
//     nothing carries out.
//   - Versioning reads beyond the status: ListObjectVersions (?versions)
//     and versionId on requests; there is only ever one version.
//   - Live channels other than listing (RTMP ingest), image and video
//     processing (x-oss-process, vod), SelectObject, MetaQuery, RestoreObject
//     (there is no archive tier), symlinks, AppendObject, UploadPartCopy,
//     and the other configuration reads (CORS, lifecycle, ...), whose
//     "none configured" answer is a 404 of a code of its own in OSS that
//     no SDK helper needs.
package osslocal
