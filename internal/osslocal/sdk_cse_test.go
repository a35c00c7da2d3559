package osslocal_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// TestCSEPartSizes: in a client-side-encryption upload OSS refuses a part
// before the last whose size is not the envelope's part size (EC
// 0005-00000419) and a last part that is not what remains of the data size
// (0005-00000420), so that no object is assembled that the SDKs would
// decrypt at the wrong offsets. Without a data size, the listed parts are
// checked at completion instead.
func TestCSEPartSizes(t *testing.T) {
	const partSize = 102400
	env := []oss.Option{
		oss.Meta("client-side-encryption-key", "a2V5"),
		oss.Meta("client-side-encryption-start", "c3RhcnQ="),
		oss.Meta("client-side-encryption-cek-alg", "AES/CTR/NoPadding"),
		oss.Meta("client-side-encryption-wrap-alg", "RSA/NONE/PKCS1Padding"),
		oss.Meta("client-side-encryption-part-size", "102400"),
	}
	withData := append(append([]oss.Option{}, env...), oss.Meta("client-side-encryption-data-size", "250000"))
	type part struct {
		n, size int
		opts    []oss.Option
		ec      string // "" accepted
	}
	cases := []struct {
		name     string
		initiate []oss.Option
		parts    []part
		complete []int  // part numbers to complete with, if any
		ec       string // completion's EC, "" accepted
	}{
		{name: "exact sizes", initiate: withData, parts: []part{{n: 1, size: partSize}, {n: 2, size: partSize}, {n: 3, size: 45200}}, complete: []int{1, 2, 3}},
		{name: "parts repeating the envelope", initiate: withData, parts: []part{{n: 1, size: partSize, opts: withData}, {n: 3, size: 45200, opts: withData}}},
		{name: "non-final part one byte long", initiate: withData, parts: []part{{n: 1, size: partSize + 1, ec: "0005-00000419"}}},
		{name: "non-final part one byte short", initiate: withData, parts: []part{{n: 2, size: partSize - 1, ec: "0005-00000419"}}},
		{name: "last part too long", initiate: withData, parts: []part{{n: 3, size: 45201, ec: "0005-00000420"}}},
		{name: "last part of the full part size", initiate: withData, parts: []part{{n: 3, size: partSize, ec: "0005-00000420"}}},
		{name: "last part too short", initiate: withData, parts: []part{{n: 3, size: 100, ec: "0005-00000420"}}},
		{name: "part size header differs", initiate: withData, parts: []part{{n: 1, size: partSize, opts: append(append([]oss.Option{}, env...), oss.Meta("client-side-encryption-part-size", "204800")), ec: "0005-00000418"}}},
		{name: "data size header differs", initiate: withData, parts: []part{{n: 1, size: partSize, opts: append(append([]oss.Option{}, env...), oss.Meta("client-side-encryption-data-size", "250001")), ec: "-"}}},
		{name: "no data size: part over the part size", initiate: env, parts: []part{{n: 1, size: partSize + 1, ec: "0005-00000419"}}},
		{name: "no data size: short part before the last", initiate: env, parts: []part{{n: 1, size: 50000}, {n: 2, size: partSize}}, complete: []int{1, 2}, ec: "0005-00000419"},
		{name: "no data size: short last part", initiate: env, parts: []part{{n: 1, size: partSize}, {n: 2, size: 50000}}, complete: []int{1, 2}},
		{name: "no envelope: any sizes", initiate: nil, parts: []part{{n: 1, size: partSize + 1}, {n: 2, size: 10}}, complete: []int{1, 2}},
	}
	srv := osstest.Start(t, osstest.WithBuckets("cse-sizes"))
	b, err := newClient(t, srv, clientConfig{name: "V1"}).Bucket("cse-sizes")
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(41, 250000)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			imur, err := b.InitiateMultipartUpload("k", c.initiate...)
			if err != nil {
				t.Fatal(err)
			}
			defer b.AbortMultipartUpload(imur)
			done := map[int]oss.UploadPart{}
			for _, p := range c.parts {
				got, err := b.UploadPart(imur, bytes.NewReader(data[:p.size]), int64(p.size), p.n, p.opts...)
				if p.ec == "" {
					if err != nil {
						t.Fatalf("part %d of %d bytes: %v", p.n, p.size, err)
					}
					done[p.n] = got
					continue
				}
				wantEC(t, err, p.ec)
			}
			if c.complete == nil {
				return
			}
			var list []oss.UploadPart
			for _, n := range c.complete {
				list = append(list, done[n])
			}
			_, err = b.CompleteMultipartUpload(imur, list)
			if c.ec == "" && err != nil {
				t.Fatal(err)
			}
			if c.ec != "" {
				wantEC(t, err, c.ec)
			}
		})
	}
}

// wantEC checks for a 400 InvalidEncryptionRequest with OSS's EC number
// ("-": none).
func wantEC(t *testing.T, err error, ec string) {
	t.Helper()
	wantServiceError(t, err, http.StatusBadRequest, "InvalidEncryptionRequest")
	var se oss.ServiceError
	errors.As(err, &se)
	if want := ec; want == "-" {
		want = ""
		if se.Ec != want {
			t.Fatalf("EC %q, want none", se.Ec)
		}
	} else if se.Ec != want {
		t.Fatalf("EC %q (%s), want %s", se.Ec, se.Message, want)
	}
}
