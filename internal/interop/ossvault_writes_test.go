package interop_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// ourWrite is one way ossvault stores an object.
type ourWrite struct {
	name string
	size int64
	// minPart is the transfer Uploader's PartSize (0: its default); the
	// Uploader picks the real part size from it.
	minPart int64
	// partSize is the part size the object must end up with (0: one PUT).
	partSize int64
	// envelopeSDK writes with the envelope package and a plain v2 SDK
	// multipart upload instead of the Uploader, for a part size that the
	// Uploader never picks (it rounds part sizes of 1 MiB and more up to
	// whole integrity chunks).
	envelopeSDK bool
}

func (o ourWrite) shape() shape { return shape{name: o.name, size: o.size, partSize: o.partSize} }

var ourWrites = []ourWrite{
	{name: "transfer.Uploader/put-empty", size: 0},
	{name: "transfer.Uploader/put-200003B", size: 200_003},
	{name: "transfer.Uploader/multipart-100KiB", size: 2*kib100 + 12_345, minPart: kib100, partSize: kib100},
	{name: "transfer.Uploader/multipart-100KiB-last-part-1B", size: 3*kib100 + 1, minPart: kib100, partSize: kib100},
	{name: "transfer.Uploader/multipart-min-1MiB+16", size: 2*mib1Plus16 + 1, minPart: mib1Plus16,
		partSize: envelope.PartSize(2*mib1Plus16+1, mib1Plus16)},
	{name: "envelope+v2-SDK/multipart-1MiB+16-last-part-1B", size: 2*mib1Plus16 + 1, partSize: mib1Plus16, envelopeSDK: true},
}

// TestOssvaultWritesSDKReads: ossvault writes an object and the official
// SDKs read it, whole and from an unaligned offset, ignoring ossvault's
// integrity headers, and finding the key by the matdesc string ossvault
// wrote.
func TestOssvaultWritesSDKReads(t *testing.T) {
	w := newWorld(t)
	for _, m := range w.masters() {
		for _, mc := range matdescs {
			t.Run(m.name+"/"+mc.name, func(t *testing.T) {
				t.Parallel()
				for _, o := range ourWrites {
					t.Run(o.name, func(t *testing.T) {
						key := objectKey(t)
						data := payload(t.Name(), o.size)
						s := o.shape()
						if o.envelopeSDK {
							writeEnvelopeV2(t, w, m, envelope.MatDesc(mc.md), key, data, s)
						} else {
							src := writeFile(t, data)
							up := w.uploader(t, keyringFor(m), o.minPart)
							if err := up.Upload(context.Background(), transfer.UploadJob{
								Source: src, Bucket: bucketName, Key: key, Wrapper: m.wrapper(envelope.MatDesc(mc.md)),
							}, nil); err != nil {
								t.Fatalf("Upload: %v", err)
							}
						}
						// The uploader's multipart objects carry their MAC
						// as a tag; the envelope package's own writes
						// (earlier versions' format) in the metadata.
						checkOurObject(t, w, m, mc.md, key, s, s.multipart() && !o.envelopeSDK)
						for _, r := range sdkReaders {
							if r.withMatDescOnly && mc.md == nil {
								continue
							}
							t.Run(r.name, func(t *testing.T) {
								sameBytes(t, "whole object", r.read(t, w, m, mc.md, key, nil), data)
								for _, rng := range ranges(s) {
									got := r.read(t, w, m, mc.md, key, &rng)
									sameBytes(t, rng.String(), got, data[rng.start:rng.end+1])
								}
							})
						}
						t.Run("transfer.Downloader", func(t *testing.T) {
							res, err := w.downloader(t, keyringFor(m)).Check(context.Background(), w.store, key, nil)
							if err != nil {
								t.Fatalf("Check: %v", err)
							}
							if res.Integrity != envelope.Verified {
								t.Errorf("integrity %v, want %v", res.Integrity, envelope.Verified)
							}
						})
					})
				}
			})
		}
	}
}

// checkOurObject checks what ossvault stored: the envelope with the matdesc
// string the SDKs compute for md (no header at all without one), the part
// and data sizes, and ossvault's integrity headers, the MAC as a tag when
// tagged.
func checkOurObject(t *testing.T, w *world, m master, md map[string]string, key string, s shape, tagged bool) {
	t.Helper()
	info, err := w.store.Head(context.Background(), key)
	if err != nil {
		t.Fatalf("HEAD: %v", err)
	}
	checkParts(t, w, key, s)
	h := info.Header
	get := func(name string) []string { return h.Values(envelope.MetaPrefix + name) }
	want := map[string]string{
		envelope.HeaderWrapAlg: m.wrapAlg,
		envelope.HeaderCEKAlg:  envelope.CEKAlgAESCTR,
		envelope.HeaderMACAlg:  envelope.MACAlg,
		envelope.HeaderSize:    strconv.FormatInt(s.size, 10),
		// The SDKs write it when they know the length; ossvault always does.
		envelope.HeaderUnencryptedLength: strconv.FormatInt(s.size, 10),
	}
	if s.multipart() {
		want[envelope.HeaderPartSize] = strconv.FormatInt(s.partSize, 10)
		want[envelope.HeaderDataSize] = strconv.FormatInt(s.size, 10)
	}
	if md != nil {
		want[envelope.HeaderMatDesc] = m.v1(t, md).GetMatDesc()
		if v2md := m.v2(t, md).GetMatDesc(); v2md != want[envelope.HeaderMatDesc] {
			t.Fatalf("the SDKs describe the key differently: v1 %q, v2 %q", want[envelope.HeaderMatDesc], v2md)
		}
	}
	for name, v := range want {
		if got := get(name); len(got) != 1 || got[0] != v {
			t.Errorf("header %s = %q, want %q", name, got, v)
		}
	}
	for _, name := range []string{envelope.HeaderKey, envelope.HeaderStart, envelope.HeaderKeyCheck} {
		if got := get(name); len(got) != 1 || got[0] == "" {
			t.Errorf("header %s = %q, want one value", name, got)
		}
	}
	// A multipart upload's MAC follows its parts as a tag; the metadata,
	// fixed at initiation, says so.
	tags, err := w.store.GetTagging(context.Background(), key)
	if err != nil {
		t.Fatalf("GetObjectTagging: %v", err)
	}
	macHeader, macTag := get(envelope.HeaderMAC), tags[envelope.HeaderMAC]
	place := get(envelope.HeaderMACPlace)
	switch {
	case tagged && one(place) != envelope.MACPlaceTagging:
		t.Errorf("header %s = %q, want %q", envelope.HeaderMACPlace, place, envelope.MACPlaceTagging)
	case tagged && (len(macHeader) != 0 || macTag == ""):
		t.Errorf("MAC header %q, tag %q: want the tag alone", macHeader, macTag)
	case !tagged && (len(macHeader) != 1 || macHeader[0] == "" || macTag != "" || len(place) != 0):
		t.Errorf("MAC header %q, tag %q, place %q: want the header alone", macHeader, macTag, place)
	}
	if got := get(envelope.HeaderMatDesc); md == nil && len(got) != 0 {
		t.Errorf("matdesc header %q, want none", got)
	}
	if !s.multipart() {
		for _, name := range []string{envelope.HeaderPartSize, envelope.HeaderDataSize} {
			if got := get(name); len(got) != 0 {
				t.Errorf("single PUT carries %s = %q", name, got)
			}
		}
	}
}

// one is the one value of a header, or "" unless there is exactly one.
func one(v []string) string {
	if len(v) != 1 {
		return ""
	}
	return v[0]
}

// writeEnvelopeV2 stores data as ossvault's format does, with the envelope
// package and a plain v2 SDK client: the envelope (with the integrity MAC)
// on InitiateMultipartUpload and on every UploadPart, part N encrypted from
// its own offset.
func writeEnvelopeV2(t *testing.T, w *world, m master, md envelope.MatDesc, key string, data []byte, s shape) {
	t.Helper()
	ctx := context.Background()
	e, dk, err := envelope.Seal(ctx, m.wrapper(md), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	e.UnencryptedLength = s.size
	e.DataSize = s.size
	e.PartSize = s.partSize
	if err := envelope.Sum(ctx, e, dk, bytes.NewReader(data), s.size, 2); err != nil {
		t.Fatalf("Sum: %v", err)
	}
	meta := e.Meta()
	headers := map[string]string{}
	for k, v := range meta {
		headers[envelope.MetaPrefix+k] = v
	}
	c := w.v2Client(sigV4, w.oss.AccessKeySecret)
	init, err := c.InitiateMultipartUpload(ctx, &v2.InitiateMultipartUploadRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), Metadata: meta})
	if err != nil {
		t.Fatalf("InitiateMultipartUpload: %v", err)
	}
	var parts []v2.UploadPart
	for i, p := range s.parts() {
		enc := make([]byte, p[1]-p[0])
		dk.XORKeyStreamAt(enc, data[p[0]:p[1]], p[0])
		n := int32(i + 1)
		r, err := c.UploadPart(ctx, &v2.UploadPartRequest{
			Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), UploadId: init.UploadId, PartNumber: n,
			Body: bytes.NewReader(enc), RequestCommon: v2.RequestCommon{Headers: headers},
		})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, v2.UploadPart{PartNumber: n, ETag: r.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &v2.CompleteMultipartUploadRequest{
		Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), UploadId: init.UploadId,
		CompleteMultipartUpload: &v2.CompleteMultipartUpload{Parts: parts},
	}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
}
