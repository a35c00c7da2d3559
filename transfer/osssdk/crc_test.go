package osssdk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/transfer"
)

// flipper damages what passes between the adapter and the endpoint: a
// byte of each request body, or the CRC header of each answer.
type flipper struct {
	body   bool   // flip the first byte of every request body
	header string // "drop", or a value to put in x-oss-hash-crc64ecma
}

func (f flipper) proxy(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &httputil.ReverseProxy{}
	p.Rewrite = func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		if f.body && r.Out.Body != nil && r.Out.ContentLength > 0 {
			b, _ := io.ReadAll(r.Out.Body)
			b[0] ^= 1
			r.Out.Body = io.NopCloser(bytes.NewReader(b))
		}
	}
	p.ModifyResponse = func(resp *http.Response) error {
		switch f.header {
		case "":
		case "drop":
			resp.Header.Del("X-Oss-Hash-Crc64ecma")
		default:
			resp.Header.Set("X-Oss-Hash-Crc64ecma", f.header)
		}
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

// The adapter's own CRC check of Put and UploadPart fails the call when
// the body was damaged on the way, and when the server's CRC is missing or
// another, as the SDK's check did; a body that arrives whole passes.
func TestOSSUploadCRCChecked(t *testing.T) {
	srv := osstest.Start(t, osstest.WithBuckets("bkt"))
	body := bytes.Repeat([]byte("ossvault"), 40000) // 320,000 bytes: the fast path and a tail
	for _, tc := range []struct {
		name string
		f    flipper
		ok   bool
	}{
		{"whole", flipper{}, true},
		{"body damaged", flipper{body: true}, false},
		{"no CRC", flipper{header: "drop"}, false},
		{"another CRC", flipper{header: "12345"}, false},
		{"not a number", flipper{header: "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := Connect(transfer.Conn{Endpoint: tc.f.proxy(t, srv.Endpoint), AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret})
			if err != nil {
				t.Fatal(err)
			}
			st, err := svc.Bucket("bkt")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			check := func(op string, err error) {
				t.Helper()
				if tc.ok && err != nil {
					t.Errorf("%s: %v", op, err)
				}
				if !tc.ok && !errors.Is(err, errCRC) {
					t.Errorf("%s: %v, want the CRC check to fail", op, err)
				}
			}
			check("Put", st.Put(ctx, "put", bytes.NewReader(body), int64(len(body)), nil))
			id, err := st.InitiateMultipart(ctx, "mp", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.UploadPart(ctx, "mp", id, 1, bytes.NewReader(body), int64(len(body)), nil)
			check("UploadPart", err)
		})
	}
}

// A rewind to the start, as a request sent again makes, starts the CRC
// again; a rewind elsewhere cannot be checked and fails.
func TestCRCBodyRewind(t *testing.T) {
	data := bytes.Repeat([]byte{7}, 1000)
	want := &crcBody{r: bytes.NewReader(data)}
	io.Copy(io.Discard, want)

	c := &crcBody{r: bytes.NewReader(data)}
	io.CopyN(io.Discard, c, 300)
	c.Seek(0, io.SeekStart)
	io.Copy(io.Discard, c)
	if c.crc != want.crc || c.broken {
		t.Errorf("after a rewind to 0: crc %#x broken %v, want %#x", c.crc, c.broken, want.crc)
	}
	c.Seek(10, io.SeekStart)
	io.Copy(io.Discard, c)
	h := http.Header{}
	h.Set("X-Oss-Hash-Crc64ecma", "0")
	if err := c.check("UploadPart", h); !errors.Is(err, errCRC) {
		t.Errorf("after a rewind to 10: %v, want the check to fail", err)
	}
}
