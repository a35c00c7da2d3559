// Package interop holds ossvault's cross-SDK round-trip tests; it has no
// code of its own.
//
// The tests run the official Alibaba Cloud OSS Go SDKs (v1's oss/crypto
// CryptoBucket and v2's EncryptionClient) and ossvault's own path (the
// transfer Uploader and Downloader over osssdk.Connect, or the envelope
// package with a plain SDK client where the transfer API cannot express the
// case) against each other, over HTTP to the local OSS endpoint
// (internal/osslocal, signatures checked, both V1 and V4 signing) and HTTPS
// to the local KMS endpoint (internal/kmslocal). Objects go both ways:
//
//   - an SDK writes (single PUT and multipart), ossvault reads the whole
//     object and ranges of it, and must report the integrity as Unverified,
//     since another client wrote it;
//   - ossvault writes, an SDK reads the whole object and a range of it,
//     ignoring ossvault's integrity headers.
//
// Both master-key kinds are covered (RSA/NONE/PKCS1Padding and KMS/ALICLOUD
// in the Go/Java form), with and without a matdesc: the SDKs look keys up by
// the exact matdesc string, so the compact sorted form ossvault writes must
// be the one they compute. The v2 SDK has no KMS master cipher of its own,
// so the tests carry a small one that calls KMS through alibaba-cloud-sdk-go
// the way the v1 SDK's does.
//
// Run with: go test -count=1 ./internal/interop/
package interop
