package osslocal_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
)

const partSize = 100 << 10 // OSS's minimum

func (e *suiteEnv) testMultipart(t *testing.T) {
	b := e.bucket(t, "multipart")
	data := randomBytes(4, 3*partSize+12345)
	key := "big file+name/ünï"
	imur, err := b.InitiateMultipartUpload(key, oss.Meta("Purpose", "test"), oss.ContentType("application/x-big"))
	if err != nil {
		t.Fatal(err)
	}
	if imur.Key != key || imur.Bucket != "multipart" || imur.UploadID == "" {
		t.Fatalf("initiate result %+v", imur)
	}
	var parts []oss.UploadPart
	var md5s []byte
	// Upload out of order, and part 2 twice: the last one counts.
	order := []int{3, 1, 2, 4, 2}
	for _, n := range order {
		start := (n - 1) * partSize
		end := min(start+partSize, len(data))
		chunk := data[start:end]
		p, err := b.UploadPart(imur, bytes.NewReader(chunk), int64(len(chunk)), n)
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		if strings.Trim(p.ETag, `"`) != strings.ToUpper(md5hex(chunk)) {
			t.Fatalf("part %d ETag %s", n, p.ETag)
		}
		replaced := false
		for i := range parts {
			if parts[i].PartNumber == n {
				parts[i], replaced = p, true
			}
		}
		if !replaced {
			parts = append(parts, p)
		}
	}
	lp, err := b.ListUploadedParts(imur)
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.UploadedParts) != 4 || lp.UploadedParts[0].PartNumber != 1 || lp.UploadedParts[3].Size != 12345 {
		t.Fatalf("ListParts %+v", lp)
	}
	lp2, err := b.ListUploadedParts(imur, oss.MaxParts(2), oss.PartNumberMarker(1))
	if err != nil || len(lp2.UploadedParts) != 2 || lp2.UploadedParts[0].PartNumber != 2 || !lp2.IsTruncated || lp2.NextPartNumberMarker != "3" {
		t.Fatalf("ListParts page %+v %v", lp2, err)
	}
	lu, err := b.ListMultipartUploads()
	if err != nil || len(lu.Uploads) != 1 || lu.Uploads[0].Key != key || lu.Uploads[0].UploadID != imur.UploadID {
		t.Fatalf("ListMultipartUploads %+v %v", lu, err)
	}
	wantServiceError(t, e.client.DeleteBucket("multipart"), http.StatusConflict, "BucketNotEmpty")

	// The SDK sorts parts itself.
	res, err := b.CompleteMultipartUpload(imur, parts)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 4; n++ {
		start := (n - 1) * partSize
		s := md5.Sum(data[start:min(start+partSize, len(data))])
		md5s = append(md5s, s[:]...)
	}
	wantETag := fmt.Sprintf("%s-4", strings.ToUpper(md5hex(md5s)))
	if strings.Trim(res.ETag, `"`) != wantETag {
		t.Fatalf("multipart ETag %s, want %s", res.ETag, wantETag)
	}
	h, err := b.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("X-Oss-Hash-Crc64ecma") != crcString(data) || h.Get("X-Oss-Object-Type") != "Multipart" ||
		h.Get("X-Oss-Meta-Purpose") != "test" || h.Get("Content-Type") != "application/x-big" {
		t.Fatalf("completed object headers: %v", h)
	}
	e.wantContent(t, b, key, data)
	lu, _ = b.ListMultipartUploads()
	if len(lu.Uploads) != 0 {
		t.Fatalf("upload still listed after completion: %+v", lu.Uploads)
	}
	_, err = b.ListUploadedParts(imur)
	wantServiceError(t, err, http.StatusNotFound, "NoSuchUpload")

	// Abort.
	imur2, err := b.InitiateMultipartUpload("aborted")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UploadPart(imur2, bytes.NewReader(data[:10]), 10, 1); err != nil {
		t.Fatal(err)
	}
	if err := b.AbortMultipartUpload(imur2); err != nil {
		t.Fatal(err)
	}
	wantServiceError(t, b.AbortMultipartUpload(imur2), http.StatusNotFound, "NoSuchUpload")
	_, err = b.UploadPart(imur2, bytes.NewReader(data[:10]), 10, 1)
	wantServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
	if ok, _ := b.IsObjectExist("aborted"); ok {
		t.Fatal("aborted upload created an object")
	}
}

func (e *suiteEnv) testMultipartErrors(t *testing.T) {
	b := e.bucket(t, "mp-errors")
	data := randomBytes(5, 2*partSize+10)
	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	small, err := b.UploadPart(imur, bytes.NewReader(data[:1000]), 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := b.UploadPart(imur, bytes.NewReader(data[:partSize]), partSize, 2)
	if err != nil {
		t.Fatal(err)
	}
	p3, err := b.UploadPart(imur, bytes.NewReader(data[partSize:2*partSize]), partSize, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Wrong Content-MD5 on a part.
	_, err = b.UploadPart(imur, bytes.NewReader(data[:100]), 100, 4, oss.ContentMD5(md5b64(data[:99])))
	wantServiceError(t, err, http.StatusBadRequest, "InvalidDigest")
	// Part number out of range.
	_, err = b.UploadPart(imur, bytes.NewReader(data[:100]), 100, 10001)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidArgument")

	complete := func(parts ...oss.UploadPart) error {
		// The SDK sorts parts, so send the XML by hand to test the order
		// check.
		var sb strings.Builder
		sb.WriteString("<CompleteMultipartUpload>")
		for _, p := range parts {
			fmt.Fprintf(&sb, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", p.PartNumber, p.ETag)
		}
		sb.WriteString("</CompleteMultipartUpload>")
		_, err := b.Do("POST", "k", map[string]interface{}{"uploadId": imur.UploadID}, nil, strings.NewReader(sb.String()), nil)
		return err
	}
	wantServiceError(t, complete(small, p2), http.StatusBadRequest, "EntityTooSmall")
	wantServiceError(t, complete(p3, p2), http.StatusBadRequest, "InvalidPartOrder")
	bad := p2
	bad.ETag = `"00000000000000000000000000000000"`
	wantServiceError(t, complete(bad, p3), http.StatusBadRequest, "InvalidPart")
	wantServiceError(t, complete(oss.UploadPart{PartNumber: 9, ETag: p2.ETag}), http.StatusBadRequest, "InvalidPart")
	_, err = b.Do("POST", "k", map[string]interface{}{"uploadId": imur.UploadID}, nil, strings.NewReader("<not xml"), nil)
	wantServiceError(t, err, http.StatusBadRequest, "MalformedXML")
	// An upload ID used with another key.
	_, err = b.Do("POST", "other-key", map[string]interface{}{"uploadId": imur.UploadID}, nil, strings.NewReader("<CompleteMultipartUpload/>"), nil)
	wantServiceError(t, err, http.StatusNotFound, "NoSuchUpload")
	// A failed completion leaves the upload usable.
	if err := complete(p2, p3); err != nil {
		t.Fatalf("valid completion after failures: %v", err)
	}
	e.wantContent(t, b, "k", data[:2*partSize])
}

func (e *suiteEnv) testCSEMultipart(t *testing.T) {
	b := e.bucket(t, "cse-mp")
	env := []oss.Option{
		oss.Meta("client-side-encryption-key", "a2V5"),
		oss.Meta("client-side-encryption-start", "c3RhcnQ="),
		oss.Meta("client-side-encryption-cek-alg", "AES/CTR/NoPadding"),
		oss.Meta("client-side-encryption-wrap-alg", "RSA/NONE/PKCS1Padding"),
	}
	sizes := []oss.Option{oss.Meta("client-side-encryption-data-size", "250000"), oss.Meta("client-side-encryption-part-size", "102400")}
	// part-size is required.
	_, err := b.InitiateMultipartUpload("no-part-size", env...)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")

	imur, err := b.InitiateMultipartUpload("enc", append(env, sizes...)...)
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(6, 250000)
	var parts []oss.UploadPart
	for n := 1; n <= 3; n++ {
		chunk := data[(n-1)*partSize : min(n*partSize, len(data))]
		// Parts repeating the envelope (as the Go and Python SDKs do) and
		// parts carrying none (Java, C++) are both accepted.
		opts := []oss.Option{}
		if n != 2 {
			opts = append(env, sizes...)
		}
		p, err := b.UploadPart(imur, bytes.NewReader(chunk), int64(len(chunk)), n, opts...)
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		parts = append(parts, p)
	}
	// A part whose start differs from the initiation's is refused.
	wrong := append(append([]oss.Option{}, env...), oss.Meta("client-side-encryption-start", "b3RoZXI="))
	_, err = b.UploadPart(imur, bytes.NewReader(data[:10]), 10, 3, wrong...)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")

	// ListParts returns the envelope (read through the raw response, as the
	// v1 SDK's result type has no fields for it).
	resp, err := b.Do("GET", "enc", map[string]interface{}{"uploadId": imur.UploadID}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readAllString(t, resp)
	for _, want := range []string{
		"<ClientEncryptionKey>a2V5</ClientEncryptionKey>", "<ClientEncryptionStart>c3RhcnQ=</ClientEncryptionStart>",
		"<ClientEncryptionCekAlg>AES/CTR/NoPadding</ClientEncryptionCekAlg>", "<ClientEncryptionWrapAlg>RSA/NONE/PKCS1Padding</ClientEncryptionWrapAlg>",
		"<ClientEncryptionDataSize>250000</ClientEncryptionDataSize>", "<ClientEncryptionPartSize>102400</ClientEncryptionPartSize>",
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("ListParts lacks %s:\n%s", want, body)
		}
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}
	h, err := b.GetObjectDetailedMeta("enc")
	if err != nil || h.Get("X-Oss-Meta-Client-Side-Encryption-Part-Size") != "102400" || h.Get("X-Oss-Meta-Client-Side-Encryption-Key") != "a2V5" {
		t.Fatalf("completed CSE object headers %v %v", h, err)
	}

	// More parts than data-size / part-size allows.
	imur3, err := b.InitiateMultipartUpload("too-many", append(env, oss.Meta("client-side-encryption-data-size", "102400"), oss.Meta("client-side-encryption-part-size", "102400"))...)
	if err != nil {
		t.Fatal(err)
	}
	var ps []oss.UploadPart
	for n := 1; n <= 2; n++ {
		p, err := b.UploadPart(imur3, bytes.NewReader(data[:partSize]), partSize, n)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	_, err = b.CompleteMultipartUpload(imur3, ps)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")
}

func readAllString(t *testing.T, resp *oss.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func (e *suiteEnv) testUploadDownloadFile(t *testing.T) {
	b := e.bucket(t, "files")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	data := randomBytes(7, 1<<20+777)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e.srv.Log.Reset()
	err := b.UploadFile("uploaded", src, partSize, oss.Routines(4), oss.Checkpoint(true, filepath.Join(dir, "up.cp")), oss.Meta("Via", "UploadFile"))
	if err != nil {
		t.Fatal(err)
	}
	wantParts := (len(data) + partSize - 1) / partSize
	if n := e.srv.Log.Count(osslocal.OpUploadPart); n != wantParts {
		t.Fatalf("UploadFile sent %d parts, want %d", n, wantParts)
	}
	dst := filepath.Join(dir, "dst.bin")
	// DownloadFile compares the combined CRC of its ranged reads with the
	// object's CRC header.
	err = b.DownloadFile("uploaded", dst, 256<<10, oss.Routines(4), oss.Checkpoint(true, filepath.Join(dir, "down.cp")))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dst)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("DownloadFile: %d bytes, %v", len(got), err)
	}
	h, _ := b.GetObjectDetailedMeta("uploaded")
	if h.Get("X-Oss-Meta-Via") != "UploadFile" {
		t.Fatalf("metadata lost: %v", h)
	}
	// Without checkpoints too.
	if err := b.UploadFile("uploaded2", src, 300<<10, oss.Routines(3)); err != nil {
		t.Fatal(err)
	}
	if err := b.DownloadFile("uploaded2", dst, 100<<10, oss.Routines(3)); err != nil {
		t.Fatal(err)
	}
}
