package osslocal_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func md5b64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func crcString(b []byte) string {
	return strconv.FormatUint(crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)), 10)
}

func itoa(n int) string { return strconv.Itoa(n) }

// listAllV1 pages through ListObjects and returns keys and common prefixes.
func listAllV1(t *testing.T, b *oss.Bucket, page int, opts ...oss.Option) (keys, prefixes []string, pages int) {
	t.Helper()
	marker := ""
	for {
		res, err := b.ListObjects(append(opts, oss.MaxKeys(page), oss.Marker(marker))...)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(res.Objects)+len(res.CommonPrefixes) > page {
			t.Fatalf("page of %d entries exceeds max-keys %d", len(res.Objects)+len(res.CommonPrefixes), page)
		}
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		prefixes = append(prefixes, res.CommonPrefixes...)
		if !res.IsTruncated {
			return
		}
		marker = res.NextMarker
	}
}

func listAllV2(t *testing.T, b *oss.Bucket, page int, opts ...oss.Option) (keys, prefixes []string, pages int) {
	t.Helper()
	token := ""
	for {
		o := append(opts, oss.MaxKeys(page))
		if token != "" {
			o = append(o, oss.ContinuationToken(token))
		}
		res, err := b.ListObjectsV2(o...)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		prefixes = append(prefixes, res.CommonPrefixes...)
		if !res.IsTruncated {
			return
		}
		token = res.NextContinuationToken
	}
}

func (e *suiteEnv) testList(t *testing.T) {
	b := e.bucket(t, "listing")
	all := []string{
		"a.txt", "b/1", "b/2", "b/c/3", "b+plus/x", "c d/e", "photos/2024/jan.jpg", "photos/2024/feb.jpg",
		"photos/2025/mar.jpg", "photos/readme", "z", "日本/語",
	}
	for i := 0; i < 25; i++ {
		all = append(all, fmt.Sprintf("many/%03d", i))
	}
	for _, k := range all {
		if err := b.PutObject(k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(all)

	for _, page := range []int{1, 3, 7, 1000} {
		keys, _, _ := listAllV1(t, b, page)
		if strings.Join(keys, "|") != strings.Join(all, "|") {
			t.Fatalf("V1 page %d: got %v", page, keys)
		}
		keys, _, _ = listAllV2(t, b, page)
		if strings.Join(keys, "|") != strings.Join(all, "|") {
			t.Fatalf("V2 page %d: got %v", page, keys)
		}
	}

	// Delimiter: folders at the top, then inside one.
	wantTop := []string{"a.txt", "z"}
	wantTopPrefixes := []string{"b+plus/", "b/", "c d/", "many/", "photos/", "日本/"}
	for _, page := range []int{1, 2, 100} {
		keys, prefixes, _ := listAllV1(t, b, page, oss.Delimiter("/"))
		if strings.Join(keys, "|") != strings.Join(wantTop, "|") || strings.Join(prefixes, "|") != strings.Join(wantTopPrefixes, "|") {
			t.Fatalf("V1 delimiter page %d: keys %v prefixes %v", page, keys, prefixes)
		}
		keys, prefixes, _ = listAllV2(t, b, page, oss.Delimiter("/"))
		if strings.Join(keys, "|") != strings.Join(wantTop, "|") || strings.Join(prefixes, "|") != strings.Join(wantTopPrefixes, "|") {
			t.Fatalf("V2 delimiter page %d: keys %v prefixes %v", page, keys, prefixes)
		}
	}
	keys, prefixes, _ := listAllV1(t, b, 1, oss.Prefix("photos/"), oss.Delimiter("/"))
	if strings.Join(keys, "|") != "photos/readme" || strings.Join(prefixes, "|") != "photos/2024/|photos/2025/" {
		t.Fatalf("photos/: keys %v prefixes %v", keys, prefixes)
	}

	// start-after.
	res, err := b.ListObjectsV2(oss.StartAfter("many/020"), oss.Prefix("many/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 4 || res.Objects[0].Key != "many/021" {
		t.Fatalf("start-after: %+v", res.Objects)
	}
	// Marker inside a folder that the delimiter rolls up: the folder is
	// not listed again.
	r1, err := b.ListObjects(oss.Marker("b/1"), oss.Delimiter("/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r1.CommonPrefixes {
		if p == "b/" {
			t.Fatalf("common prefix b/ listed again after marker b/1: %v", r1.CommonPrefixes)
		}
	}

	// Listing information.
	res1, err := b.ListObjects(oss.Prefix("a.txt"))
	if err != nil || len(res1.Objects) != 1 {
		t.Fatalf("list a.txt: %v %v", res1, err)
	}
	o := res1.Objects[0]
	if o.Size != 5 || strings.Trim(o.ETag, `"`) != strings.ToUpper(md5hex([]byte("a.txt"))) || o.LastModified.IsZero() || o.Type != "Normal" || o.StorageClass != "Standard" {
		t.Fatalf("listing entry: %+v", o)
	}

	_, err = b.ListObjects(oss.MaxKeys(1001))
	wantServiceError(t, err, http.StatusBadRequest, "InvalidArgument")
	_, err = b.ListObjectsV2(oss.ContinuationToken("!!not-a-token!!"))
	wantServiceError(t, err, http.StatusBadRequest, "InvalidArgument")
	nb, _ := e.client.Bucket("no-such-bucket")
	_, err = nb.ListObjects()
	wantServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
}

func (e *suiteEnv) testDelete(t *testing.T) {
	b := e.bucket(t, "deleting")
	var keys []string
	for i := 0; i < 10; i++ {
		k := fmt.Sprintf("d/%d with space+plus", i)
		keys = append(keys, k)
		if err := b.PutObject(k, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	res, err := b.DeleteObjects(keys[:5])
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(res.DeletedObjects)
	if strings.Join(res.DeletedObjects, "|") != strings.Join(keys[:5], "|") {
		t.Fatalf("deleted %v", res.DeletedObjects)
	}
	res, err = b.DeleteObjects(append(keys[5:], "never-existed"), oss.DeleteObjectsQuiet(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.DeletedObjects) != 0 {
		t.Fatalf("quiet mode listed %v", res.DeletedObjects)
	}
	lr, err := b.ListObjects()
	if err != nil || len(lr.Objects) != 0 {
		t.Fatalf("left %d objects (%v)", len(lr.Objects), err)
	}
	// Deleting a missing object is not an error on OSS.
	if err := b.DeleteObject("never-existed"); err != nil {
		t.Fatal(err)
	}
	// Content-MD5 is required.
	_, err = b.Do("POST", "", map[string]interface{}{"delete": nil}, nil,
		strings.NewReader(`<Delete><Object><Key>a</Key></Object></Delete>`), nil)
	wantServiceError(t, err, http.StatusBadRequest, "MissingArgument")
	body := `<Delete><Object><Key>a</Key></Object></Delete>`
	_, err = b.Do("POST", "", map[string]interface{}{"delete": nil},
		[]oss.Option{oss.ContentMD5(md5b64([]byte("something else")))}, strings.NewReader(body), nil)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidDigest")
}

func (e *suiteEnv) testCopy(t *testing.T) {
	b := e.bucket(t, "copying")
	other := e.bucket(t, "copy-target")
	data := randomBytes(3, 200_000)
	if err := b.PutObject("src key+1", bytes.NewReader(data), oss.Meta("Keep", "me"), oss.ContentType("text/x-src")); err != nil {
		t.Fatal(err)
	}
	res, err := b.CopyObject("src key+1", "dst", oss.MetadataDirective(oss.MetaCopy))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Trim(res.ETag, `"`) != strings.ToUpper(md5hex(data)) {
		t.Fatalf("copy ETag %s", res.ETag)
	}
	h, err := b.GetObjectDetailedMeta("dst")
	if err != nil || h.Get("X-Oss-Meta-Keep") != "me" || h.Get("Content-Type") != "text/x-src" {
		t.Fatalf("COPY lost metadata: %v %v", h, err)
	}
	e.wantContent(t, b, "dst", data)

	if _, err := b.CopyObject("src key+1", "dst2", oss.MetadataDirective(oss.MetaReplace), oss.Meta("New", "yes")); err != nil {
		t.Fatal(err)
	}
	h, _ = b.GetObjectDetailedMeta("dst2")
	if h.Get("X-Oss-Meta-Keep") != "" || h.Get("X-Oss-Meta-New") != "yes" {
		t.Fatalf("REPLACE metadata: %v", h)
	}

	if _, err := other.CopyObjectFrom("copying", "src key+1", "from-other-bucket"); err != nil {
		t.Fatal(err)
	}
	e.wantContent(t, other, "from-other-bucket", data)
	_, err = b.CopyObject("missing", "x")
	wantServiceError(t, err, http.StatusNotFound, "NoSuchKey")

	// Client-side-encryption metadata is protected.
	cse := []oss.Option{
		oss.Meta("client-side-encryption-key", "d3JhcHBlZCBrZXk="),
		oss.Meta("client-side-encryption-start", "d3JhcHBlZCBpdg=="),
		oss.Meta("client-side-encryption-cek-alg", "AES/CTR/NoPadding"),
		oss.Meta("client-side-encryption-wrap-alg", "RSA/NONE/PKCS1Padding"),
	}
	if err := b.PutObject("cse", bytes.NewReader(data), append(cse, oss.Meta("Other", "1"))...); err != nil {
		t.Fatal(err)
	}
	// A default copy carries the envelope.
	if _, err := b.CopyObject("cse", "cse-copy"); err != nil {
		t.Fatal(err)
	}
	h, _ = b.GetObjectDetailedMeta("cse-copy")
	if h.Get("X-Oss-Meta-Client-Side-Encryption-Key") != "d3JhcHBlZCBrZXk=" {
		t.Fatalf("COPY dropped the envelope: %v", h)
	}
	// REPLACE that keeps the envelope and changes other metadata: allowed.
	if _, err := b.CopyObject("cse", "cse-replaced", append(cse, oss.MetadataDirective(oss.MetaReplace), oss.Meta("Other", "2"))...); err != nil {
		t.Fatalf("REPLACE keeping the envelope: %v", err)
	}
	// REPLACE that drops or alters the envelope: refused.
	_, err = b.CopyObject("cse", "cse-dropped", oss.MetadataDirective(oss.MetaReplace), oss.Meta("Other", "3"))
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")
	altered := append([]oss.Option{}, cse...)
	altered[0] = oss.Meta("client-side-encryption-key", "b3RoZXI=")
	_, err = b.CopyObject("cse", "cse-altered", append(altered, oss.MetadataDirective(oss.MetaReplace))...)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")
	// Copy onto itself adding metadata: refused, object unchanged.
	_, err = b.CopyObject("cse", "cse", append(cse, oss.MetadataDirective(oss.MetaReplace), oss.Meta("Other", "1"), oss.Meta("Added", "x"))...)
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")
	h, _ = b.GetObjectDetailedMeta("cse")
	if h.Get("X-Oss-Meta-Added") != "" {
		t.Fatal("refused copy changed the object")
	}
	for _, k := range []string{"cse-dropped", "cse-altered"} {
		if ok, _ := b.IsObjectExist(k); ok {
			t.Fatalf("refused copy created %s", k)
		}
	}
}
