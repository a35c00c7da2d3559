// Package envelope reads and writes Alibaba Cloud OSS client-side
// encryption: the per-object data key and its envelope of
// x-oss-meta-client-side-encryption-* headers that the official Java,
// Python, Go and C++ SDKs share, plus ossvault's own integrity MAC. It knows
// the format only: no HTTP, no keychain, no UI. Callers fetch headers and
// bytes, and pass in the master keys as Wrapper and Identity values.
//
// # Writing
//
// Seal draws a fresh 32-byte AES-256 key and a 16-byte initial counter block
// (8 random bytes, 4 zero bytes, 4 random bytes, as every SDK writes) from
// the given randomness, wraps each of them separately with the master key,
// and returns the Envelope. The content is AES-256-CTR with one 128-bit
// big-endian counter over the whole object, so ciphertext and plaintext have
// the same length (EncryptedSize and DecryptedSize are the identity) and any
// byte can be decrypted on its own. NewReader and NewWriter transform a
// stream whose first byte sits at a given object offset.
//
// Envelope.Meta returns the headers as the Go and Java SDKs write them
// (names after "x-oss-meta-", listed as the Header* constants): standard
// base64 with padding for the wrapped key and counter, the matdesc as
// compact JSON with sorted keys and only when non-empty, data-size and
// part-size only when set. A multipart upload sends this same envelope on
// every part; part N is encrypted from the counter IV + (N-1)*partSize/16
// (DataKey.PartIV), which makes the parts one continuous stream, so readers
// need not know the part size. PartSize picks a part size that fits OSS's
// 10,000-part limit.
//
// Wrappers: RSA/NONE/PKCS1Padding (NewRSAWrapper) and KMS/ALICLOUD in the
// Go/Java form (NewKMSWrapper: KMS Encrypt of base64(secret); the header
// holds the returned CiphertextBlob).
//
// # Several recipients
//
// SealFor locks one object for several keys: one data key and counter,
// wrapped once per recipient. The first wrap stays in the SDK's own
// headers (key, start, wrap-alg, matdesc), so the official SDKs open the
// object with that key as with any other; the others travel in
// ossvault-recipients (HeaderRecipients), which other clients ignore:
//
//	ossvault-recipients = base64(u8(1) || u8(n) || entry_1 || ... || entry_n)
//	entry               = H(wrap-alg) || H(matdesc) || H(wrapped key) || H(wrapped counter)
//
// with H(x) = u16(len(x)) || x (16-bit big-endian), the wrapped values
// raw (as after base64 decoding in the SDK headers), the matdesc as compact
// JSON with sorted keys ("" when empty), wrap-alg RSA/NONE/PKCS1Padding or
// KMS/ALICLOUD. A binary list is some 30% smaller than JSON holding
// base64 values, which decides how many recipients fit. It is read
// strictly (version 1, 1 to 255 entries, nothing after the last, only the
// two wrap algorithms, a matdesc in exactly its compact form): ossvault
// alone writes it, so anything else was damaged or altered and is a
// HeaderError. Envelope.Recipients holds the entries, Wraps all wraps in
// order.
//
// The MAC binds the list under a construction of its own,
// MACAlgRecipients ("BLAKE3-CHUNKED-v4"): the v3 encoding with
// F(recipients) after F(key check), F over the decoded header (the u8
// version onwards), under the key label "ossvault integrity v4 blake3"
// and root tag "ossvault root v4"; the signature then covers it through
// the MAC. A new name rather than an optional field in v3, because every
// existing object keeps its exact root input, the encoding of each
// construction stays one fixed list of fields, and an ossvault that
// predates recipients reads such an object as made with a construction it
// does not know, not as altered. Like v3 it is only ever written signed
// (Sum and NewSummer refuse an unsigned envelope with recipients), and a
// v4 object without its signature fails. The header on any other
// construction fails (someone added it), and a v4 object without it fails
// (someone removed it): RequireIntegrity checks both.
// testdata/recipients-v4.json is a golden vector (a fixed data key and
// envelope, the exact root input before the leaves, and the MAC).
//
// Open tries each identity on every wrap, the SDK headers' first;
// OnlyWrap limits an identity to the wrap whose matdesc chose it, which
// spares the others an RSA decryption or a KMS call each (the vault
// chooses keys that way, by the matdesc of any wrap). The key check and
// the MAC both commit to one data key, so a writer cannot hand different
// recipients different contents: a wrap of another key fails the key
// check, and would fail the MAC.
//
// Size: OSS keeps at most 8 KB of user metadata (MaxUserMeta), which
// bounds the recipients. CheckMetaSize counts every name with its
// x-oss-meta- prefix and every value, as a single PUT stores them (MAC
// and signature included) plus a multipart upload's place header, so the
// bound does not depend on the file's size; past it the error wraps
// ErrTooManyRecipients and the uploader sends nothing. Measured from real
// signed envelopes (TestRecipientsFit: a 63-character bucket and a
// 100-byte object key, ossvault's own matdesc, a 1 TiB multipart object),
// at most: RSA-2048 9 recipients, RSA-3072 6, RSA-4096 4, KMS 20 (blobs
// of Alibaba Cloud KMS's layout: a 36-character key id, a 12-byte nonce,
// the ciphertext and a 16-byte tag). Each RSA-2048 recipient costs about
// 780 bytes, RSA-4096 about 1,460, KMS about 330. Longer object keys
// (uploaded-as, percent-encoded) and longer matdescs leave less room.
//
// Adding recipients to a stored object (sharing it with someone new)
// changes its envelope only. Rewrap takes the envelope and its opened data
// key and wraps the same key and counter once more for each newcomer: the
// ciphertext stays as it is, byte for byte, so a server-side copy carries
// it. The MAC binds the wraps and the signature binds the MAC, the name
// and the time, so neither carries over: Summer.AddCiphertext computes the
// new MAC from the stored ciphertext alone (no plaintext anywhere), and
// the one who shares signs the result as its writer. The reader then sees
// who shared it and under which name, not the original writer: the sharer
// vouches for the content, so transfer.Rewrapper verifies the stored object
// on the same pass and re-signs only what verified.
//
// # Reading
//
// ParseHeader and ParseMeta accept header names in any case, base64 with or
// without padding, with whitespace, in the standard or URL-safe alphabet,
// the Python spacing of matdesc, and the legacy x-oss-meta-oss-crypto-*
// headers of old Python clients (whose "AES/GCM/NoPadding" label means CTR
// and whose "start" is a decimal counter). A malformed envelope is a
// *HeaderError, which matches ErrIntegrity.
//
// Open tries identities in order. An identity that is not the object's
// returns ErrIncorrectIdentity and Open moves on; any other error stops it;
// when none opens the object the error is a *NoKeyError naming the matdesc.
// Choosing the likely key by parsed matdesc (never by string: the SDKs
// write the same map differently) is the caller's job.
//
// NewRSAIdentity unwraps PKCS #1 v1.5 with rsa.DecryptPKCS1v15SessionKey at
// fixed lengths (32 bytes for the key, 16 for the counter): bad padding
// yields random bytes in constant time instead of an error, so a service
// that opens objects for others is no Bleichenbacher padding oracle. The
// trade-off is that a wrong private key whose modulus has the right length
// cannot be told apart by the unwrap alone. A different modulus length is
// decided up front. For objects ossvault wrote, the ossvault-key-check
// header decides it: a 128-bit HMAC, under a key derived from the data key,
// of the counter block. Every wrong key, whether its padding happened to be
// valid or not, fails that check the same way, so the check adds no
// oracle. For other clients' objects, which carry no key check, the unwrapped
// counter block must have the form every SDK writes (bytes 8..11 zero): a
// wrong key of the same size passes that only once in 2^32, and the answer
// hangs on the padding and four plaintext bytes together, which is no usable
// padding oracle. A foreign writer that broke that form would read as "no
// key"; none of the official SDKs does. Keys are still best chosen by
// matdesc first.
// NewRSAIdentity also opens the OAEP (SHA-1) wraps of old Python clients,
// where a failure can be reported directly.
//
// NewKMSIdentity opens the Go/Java form first and falls back to the form of
// the Python SDK, whose header is base64 of the CiphertextBlob text, when
// KMS rejects the first and the wrapped bytes are base64 text. Python
// objects written with a passphrase (a KMS EncryptionContext) cannot be
// opened.
//
// KMS objects are written only in the Go/Java form, never in Python's, and
// no key can choose the Python form: the two SDK families cannot read each
// other's KMS objects, so whichever form is written, one family is left
// out, and the Go/Java form is the one the format reference and every
// other official SDK (Go v1 and v2, Java, C++) read. A team whose readers
// are Python scripts should give them an RSA key, which every SDK reads
// alike; ossvault goes on reading both KMS forms.
//
// Ranged reads: take the offset from the response's Content-Range
// (ParseContentRange), never from the request, and start NewReader there.
// The counter is advanced by offset/16 blocks with a full 128-bit add and
// offset%16 keystream bytes are skipped, so no alignment is needed and
// suffix ranges ("bytes=-N") decrypt correctly.
//
// # Integrity
//
// The OSS format has no integrity: CTR is malleable and no SDK checks
// anything. Objects ossvault writes also carry, in ossvault-* headers that
// other clients ignore, a MAC over the ciphertext and the envelope. It is
// written with keyed BLAKE3 (ossvault-mac-alg "BLAKE3-CHUNKED-v2", MACAlg):
//
//	macKey  = HKDF-SHA256(secret = data key, salt = none, info = "ossvault integrity v2 blake3")
//	leaf_i  = BLAKE3-keyed(macKey, "leaf" || u64(i) || ciphertext chunk i)
//	MAC     = BLAKE3-keyed(macKey, F("ossvault root v2") || F(mac-alg) || F(legacy flag)
//	          || F(wrap-alg) || F(cek-alg) || F(wrapped key) || F(wrapped counter)
//	          || F(matdesc) || F(unencrypted-content-length) || F(unencrypted-content-md5)
//	          || F(data-size) || F(part-size) || F(key check)
//	          || u64(chunk size) || u64(size) || u64(n) || leaf_0 || ... || leaf_{n-1})
//
// where BLAKE3-keyed is BLAKE3's keyed_hash mode with a 32-byte output, u64
// is 8 bytes big-endian, F(x) = u64(len(x)) || x, header values are taken as
// Meta writes them ("" when absent), and the ciphertext is cut into n chunks
// of the chunk size (the last may be shorter). The headers are
// ossvault-mac-alg, ossvault-chunk-size, ossvault-size and ossvault-mac
// (base64); ossvault-mac may instead be an object tag (see below), and so
// may a stream's ossvault-size (see Streams). The
// chunk size is 1 MiB, doubled for objects of more than 1 TiB so a
// verifier holds at most 2^20 leaves, or the part size of a multipart
// upload whose parts are smaller than that.
//
// Earlier versions wrote "HMAC-SHA256-CHUNKED-v1" (MACAlgHMACSHA256): the
// same encoding with HMAC-SHA256 in place of BLAKE3-keyed, info "ossvault
// integrity v1" and root tag "ossvault root v1". Such objects still verify;
// nothing writes them any more. An ossvault-mac-alg this version does not
// know fails verification (Failed, an error matching ErrIntegrity) and the
// verifying reader returns no plaintext: a rewritten algorithm name must
// not turn a failed check into a mere warning.
//
// Where the MAC lives, and one read of the source. A single PUT carries
// every header in its metadata: the uploader reads the file once into
// memory, encrypts it there and computes the MAC from that buffer (a
// Summer), then sends the same buffer. OSS fixes a multipart object's
// metadata at InitiateMultipartUpload, before any content exists, so the
// MAC cannot be in it without reading the file twice, which is how earlier
// versions did it (Sum, then a second read to send): a file edited in
// place between the passes, with size and modification time kept,
// uploaded "successfully" and never opened again. Now each part is read
// once into a buffer, encrypted and hashed into its leaves there, and sent
// from the buffer; the root MAC is computed from all leaves after the last
// part, and written after CompleteMultipartUpload as object tags: every
// header named in TrailerHeaders (ossvault-mac now) becomes a tag of the
// same name with the same value (base64, within OSS's 256-character tag
// values and its character set). The metadata sent at initiation carries
// ossvault-mac-alg, ossvault-chunk-size and ossvault-size as usual plus
// ossvault-mac-place: tagging (HeaderMACPlace), and readers of such an
// object fetch its tags and merge the trailers (MergeTrailers) before
// parsing. What was uploaded is by construction what was authenticated.
//
// The place is not bound in the MAC, and no new mac-alg value was made,
// because it decides nothing the MAC covers: the MAC is the same value
// wherever it is stored and covers the same content and envelope, so
// moving it between tags and metadata changes no outcome. Removing it
// fails closed: with the place header and no tag, the MAC is missing
// (ErrStripped); with the place header removed too, the remaining
// integrity headers lack their MAC and the envelope does not parse
// (a HeaderError, matching ErrIntegrity). A trailer present both in the
// metadata and in the tags fails (ErrTrailerTwice): one of them was put
// there by someone else. An unknown place value fails.
//
// Costs of the tag: one more request per multipart upload
// (PutObjectTagging) and per download of one (GetObjectTagging); the
// tag needs the tagging permissions (oss:PutObjectTagging,
// oss:GetObjectTagging) besides the object's; a reader that cannot read
// tags (a presigned GET link) cannot verify such an object and fails
// closed; tags can be changed by anyone who may tag the object, which can
// only make the object fail, never pass; versions of ossvault before the
// tag cannot open multipart objects written since (their envelope lacks
// the MAC header they expect), while this version reads every earlier
// format, MAC in metadata included. Chunks must not span parts, so that
// a part's leaves come from its own buffer: ChunkSizeForParts takes the
// part size as chunk size for parts smaller than a chunk (PartSize rounds
// larger parts up to whole chunks). The uploader keeps each part's leaves
// in its journal as soon as the part is read, before it is sent; since a
// leaf is a keyed BLAKE3 hash of the part's ciphertext, and ciphertext
// under a fixed key and counter determines the plaintext, the leaves are
// also the keyed hash of the part's plaintext that decides, on a resume,
// whether a part sent again is byte-identical (Summer.Seal fails with
// ErrChanged otherwise, and the upload starts over with a fresh data key):
// CTR never sees two plaintexts at one key and counter.
//
// Streams (`put -`: standard input, whose size is known only at its end).
// A stream that ends within its first part is one PUT with its size, as
// any small file. A longer one is a multipart upload initiated before its
// size exists, which decides three things:
//   - The size is a trailer. ossvault-size is one of TrailerHeaders, but
//     a writer sends it as a tag only when it was not in the initiation
//     metadata (Trailers): a stream's Summer starts with SizeUnknown,
//     Meta leaves ossvault-size out until SetSize, and the size goes with
//     the MAC and the signature as tags. Uploads of known size keep it in
//     the metadata. The MAC root binds u64(size) and the chunk count
//     whichever place holds it, and the signature binds the MAC, so a
//     size tag changed fails the MAC. Removing it fails closed: with the
//     MAC and no size anywhere the envelope does not parse (a HeaderError,
//     matching ErrIntegrity); with the MAC gone too the object is
//     stripped (ErrStripped); in both places, ErrTrailerTwice.
//   - The SDK's client-side-encryption-data-size and
//     unencrypted-content-length are left out (the format writes them
//     only when known: data-size only when > 0). No official reader uses
//     either (testdata/interop/FORMAT.md, "What readers require"):
//     decryption is one CTR stream from the counter, and the Go SDK v1
//     CryptoBucket and v2 EncryptionClient read such objects, whole and
//     ranged (internal/interop TestStreamSDKReads). OSS checks the part
//     count against data-size at Complete only when data-size was given;
//     part-size, which the server requires, is known and sent as usual.
//     Both absent values are bound in the root as "" like any absent
//     header.
//   - The chunk size is fixed at initiation without the size:
//     StreamLimits takes the chunking ChunkSizeForParts gives the largest
//     stream the part size allows (MaxParts parts), so parts are whole
//     chunks and their leaves come from their own buffer, and a stream
//     never needs more than 2^20 leaves. With the default 64 MiB parts a
//     stream holds at most 625 GiB, in 1 MiB chunks; a longer one is
//     refused with a sentence that names the limit and --part-size. Until
//     SetSize a Summer takes whole chunks only, growing its leaf store;
//     the short last part is sealed after it. The leaf and root code is
//     the same as for every other object.
//
// A stream is not resumable (standard input cannot be read again): nothing
// is journaled, an interrupted or failed stream aborts its multipart
// upload, and the error says it must be sent again (ErrStreamNotStored in
// transfer). A process killed outright leaves its unfinished upload for
// the server's lifecycle rules, untracked.
//
// BLAKE3 is used because it costs well under half the CPU of
// HMAC-SHA256 per byte. Downloads check the MAC with a Verifier (chunks in
// any order, from many goroutines, either as ciphertext or as plaintext
// already on disk) or with NewVerifyingReader (one stream from offset 0),
// and get Verified, Failed (with an error matching ErrIntegrity), or
// Unverified when the object has no ossvault MAC. Verifier, Sum and Summer
// share one leaf store and one root computation.
//
// Why it is sound:
//   - Only holders of the data key can compute a valid MAC: the data key is
//     fresh per object and reachable only through the master key. BLAKE3's
//     keyed mode is designed and analysed as a PRF (and so a MAC) under a
//     uniformly random 256-bit key: the key replaces the IV in every
//     compression, so there is no length extension (every output is a
//     finalized root node) and no need for HMAC's nested construction.
//     HMAC-SHA256 in the earlier construction is a PRF as well.
//   - HKDF-SHA256 gives a MAC key that is pseudorandom and independent of
//     the AES keystream although both come from one secret, which is what
//     the keyed mode needs. A distinct info label per construction gives the
//     two constructions independent keys, so a tag of one can never be
//     replayed as a tag of the other, and the algorithm name is itself
//     bound in the root.
//   - The MAC input is an injective encoding: every variable-length field is
//     length-prefixed, numbers have fixed width, and the chunk count is
//     bound before the fixed-size leaves. Two different objects or
//     envelopes never share a MAC input.
//   - Leaves are keyed and carry their index, so chunks cannot be changed,
//     swapped or reordered; the size and chunk count are bound, so the
//     object cannot be truncated or extended; the chunk size is bound, so
//     it cannot be re-cut. Leaf and root inputs begin differently ("leaf"
//     against the length prefix 00..10), so a leaf tag is never a root tag:
//     the two inputs are domain-separated within one key, the same way for
//     both hashes. BLAKE3's own chunk tree inside each call is internal to
//     the hash and plays no part in this argument.
//   - Every envelope header is bound, including the wrapped key and
//     counter: pairing an object with another object's wrapped counter, or
//     changing its matdesc, sizes or algorithm names, fails. Chunks spliced
//     in from another object fail because each object has its own MAC key.
//   - It is encrypt-then-MAC over the ciphertext, so checking needs no
//     decryption and CTR's malleability is caught.
//   - Tags are 256 bits and compared in constant time.
//
// What it does not give, and what callers should do:
//   - Integrity, not authorship. Anyone holding the RSA public key (which
//     is public) or permission to use the KMS key can create a new object
//     with a valid MAC. Verified means "unaltered since its writer made it",
//     not "made by a colleague": that is the signature's part (Authorship).
//   - Downgrade is caught only while a marker is left: an object that
//     carries any ossvault-* header (the key check among them) or a
//     matdesc with the "ossvault-key" entry ossvault gives its keys
//     (Envelope.Marked) must carry a MAC, and fails with ErrStripped
//     (matching ErrIntegrity) when it does not (RequireIntegrity; the
//     verifiers apply it). An attacker with write access who removes every
//     marker too, rewrites the matdesc and drops the key check, or replaces
//     the object with one written by another client or with plaintext,
//     gets Unverified (or not encrypted). Show Unverified as a warning,
//     never as success; where every object in a place is known to come
//     from ossvault, treat Unverified as a failure (the command line's
//     get --verified-only).
//   - The MAC alone binds no name and no time: an older version of an
//     object, or another object of ours copied over this name, verifies.
//     Signed objects state both (Authorship); the reader compares them.
//   - NewVerifyingReader returns plaintext before the end is checked. Write
//     it somewhere provisional and keep it only after io.EOF; on an
//     ErrIntegrity error delete it.
//   - Objects written by other clients have no MAC at all.
//   - Metadata (matdesc, sizes) is not secret.
//
// # Authorship
//
// Objects ossvault writes are also signed by their writer, with an Ed25519
// key of the writer's own (SigAlg "ED25519-v1"). The writer's public key,
// the name and the time are set before the upload starts (SetWriter) and
// travel as ossvault-signer (base64 of the 32-byte key), ossvault-sig-alg,
// ossvault-uploaded-as and ossvault-uploaded-at; the signature
// (ossvault-sig, base64 of 64 bytes) is made once the MAC is known (Sign)
// and goes wherever the MAC goes (TrailerHeaders):
//
//	message = F("ossvault signature v1") || F(sig-alg) || F(mac-alg) || F(MAC)
//	          || F(signer public key) || F(bucket) || F(key) || F(uploaded-at)
//	sig     = Ed25519-Sign(writer's private key, message)
//
// with F as above, the MAC and the key as raw bytes, bucket and key as the
// raw UTF-8 name (not its header encoding) and uploaded-at as the header's
// text. ossvault-uploaded-as is "oss://" + bucket + "/" + key with every
// key byte outside A-Z a-z 0-9 - . _ ~ / percent-encoded (%XX, upper-case
// hex; EncodeUploadedAs): any key, UTF-8 and control characters included,
// passes an HTTP header unchanged, and plain names stay readable in a
// listing of the headers. ossvault-uploaded-at is RFC 3339 in UTC, whole
// seconds ("2026-03-14T15:09:26Z"), and is read only in exactly that form,
// so the text signed and the time shown are one. testdata/signature-v1.json
// is a golden vector: a fixed key seed and fields, the exact message in hex
// and the signature.
//
// Why a signing key of its own, rather than the RSA or KMS key:
//   - The RSA keys are encryption keys: a colleague's public key locks
//     files for them, and a key pair is shared by everyone who should open
//     a folder's files. Signing with the same RSA key would mix the two
//     uses (PKCS #1 v1.5 signatures and the v1.5 unwrap under one key) and
//     would prove only "someone holding this shared key".
//   - A KMS key cannot sign for a person: whoever may use it, a sync job
//     included, is the same to KMS, and its symmetric keys cannot sign at
//     all.
//   - One Ed25519 key per person (per ossvault home) is one identity,
//     however many encryption keys the person uses, and it is what a
//     colleague compares once.
//   - Ed25519 signatures are 64 bytes and keys 32, which fit a metadata
//     header or an object tag, sign and verify in microseconds, and are
//     deterministic (no per-signature randomness to get wrong).
//
// What it binds: the MAC root, and through it the whole content and
// envelope; the MAC construction; the writer's key; the bucket and key the
// writer uploaded to; the time of the upload. A signature only means
// something together with a MAC that verified: the verifiers check both
// (RequireIntegrity runs CheckSignature), and readers then name the signer
// by looking its public key up among the keys they know.
//
// Fail-closed rule: the signed construction has its own MAC algorithm name,
// MACAlgSigned ("BLAKE3-CHUNKED-v3": the v2 encoding under its own key
// label "ossvault integrity v3 blake3" and root tag "ossvault root v3"),
// written only by Sum for an envelope with a writer set. A v3 object
// without its signature fails (ErrBadSignature, matching ErrIntegrity);
// renaming v3 to v2 to pass as an old object fails the MAC, which binds
// its algorithm name. Objects of earlier versions (v1 and v2 MACs, no
// signature) still verify and read as not signed; a signature on a v1 or
// v2 MAC is never written and fails. So do incomplete signature headers,
// an unknown signature algorithm, and any signature that does not verify.
//
// What it does not give:
//   - A stolen signing key signs as its owner. It lives in the owner's
//     keychain; a colleague's key that was stolen or replaced is found only
//     by comparing fingerprints with them, and a changed key is refused
//     rather than taken silently (the vault's job).
//   - Replay: an older version of the object, signed by its writer at the
//     time, still verifies as that writer's under that name. uploaded-at
//     says when it was written; only the reader can judge that it is old.
//   - A copy under another name verifies as the writer's object; it is the
//     reader's to compare uploaded-as with the name it read, and say so.
//   - Someone with write access can still replace an object with a new one
//     of their own: it then names them (or an unknown key), or, written the
//     way earlier versions wrote (a v2 MAC, no signature), reads as not
//     signed. Readers must show "unknown" and "not signed" as such.
//   - Fingerprints are for people; lookups compare whole public keys.
//
// # Checking a range
//
// The MAC is one flat hash over every leaf, so checking it needs every
// leaf, and a leaf needs its chunk: without more, a range is checked only
// by reading the whole object. So the writer also stores the object's
// leaves, once the object is complete, as a small object of its own, the
// leaf table (key .ossvault/leaves/<object key> in the same bucket; the
// transfer package names it and hides the folder from listings):
//
//	table = "OSSVLEAF" || u8(1) || u64(chunk size) || u64(size) || u64(n)
//	        || MAC || leaf_0 || ... || leaf_{n-1}
//
// (u64 big-endian, the MAC and the leaves 32 bytes each, nothing after the
// last leaf; ParseLeafTable is strict; testdata/leaftable-v1.json is a
// golden vector). A reader of bytes start..end (NewRangeVerifier) checks
// the object as a whole read would (RequireIntegrity: markers, MAC
// present, the writer's signature over the MAC), recomputes the root from
// the table's leaves under the object's own envelope, chunk size and size,
// and compares it with the object's MAC; then it fetches only the whole
// chunks that hold the range (Verifier.Span: the range plus at most one
// chunk on either side) and compares each chunk's leaf with the table's
// as it arrives. Nothing is written unless every chunk matched.
//
// Why this is as sound as the whole-object check: the table needs no MAC
// of its own. Its leaves are accepted only when they recompute, under the
// data key, to the MAC the envelope carries (and, when it is signed, the
// signature covers), so a table that verifies holds exactly the writer's
// leaves: other leaves with the same keyed root would be a forgery of the
// root MAC, and without the data key no one can compute a leaf at all.
// A chunk that matches its accepted leaf is the writer's chunk at that
// index. What a verified range proves is what a verified object proves,
// for those bytes.
//
// The MAC in the table's header decides whose table it is, and how a
// table that does not fit is reported:
//   - no table, a table that does not parse as version 1
//     (ErrLeafTableMalformed), or a table naming another MAC
//     (ErrLeafTableForeign): the table cannot vouch for the object, and
//     says nothing about the object either. Tables go stale legitimately:
//     another client or an older ossvault uploads over the object and
//     leaves the table as it was; an object copied to another name has
//     none. The range is then read unverified with a warning, or, where
//     only verified reads are accepted, checked by reading the whole
//     object (never refused for lack of a table alone);
//   - a table naming the object's MAC whose leaves, size or chunk size do
//     not make that MAC: someone altered the table (or the envelope), and
//     the range fails (ErrIntegrity), as does a chunk that does not match
//     its leaf.
//
// A swapped table (another object's) is therefore "not verified", not
// "altered": it names the other object's MAC, which is all a stale table
// does too. Removing or swapping the table gives an attacker nothing that
// deleting it does not: the range is not called verified either way.
//
// Costs: one more PUT per upload of more than one chunk (objects of one
// chunk are not given a table: a range of them is the whole object
// anyway, checked as such), written after the object and its tags, and
// best effort: an upload whose table cannot be written (no permission on
// .ossvault/, a network failure) still succeeds, and its ranges read as
// not verified. 32 bytes per chunk of storage: 8 KiB for 256 MiB, 32 MiB
// for 1 TiB (2^20 leaves), fetched whole on each range read, which is the
// one bounded segment read besides the range. One more GET per range
// read; the permissions to read, write and delete .ossvault/leaves/ as
// well as the objects; a shared link reaches only its object, never its
// table, so ranges through links are not verified. A range read checked
// by a table does not resume after an interruption (its partial file
// holds only the range's bytes, not the whole chunks the check needs);
// it starts over, costing at most the range and two chunks. Deleting an
// object through ossvault deletes its table; an object deleted or
// replaced by anything else leaves a stale table behind, which is never
// used for the new object (its MAC differs) and is replaced by ossvault's
// next upload under that name.
package envelope
