package osslocal

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// signedWith is signedRequest with headers set before signing.
func signedWith(t *testing.T, s *Server, method, target string, body io.Reader, hdr map[string]string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, body)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	rt := s.parseRoute(r)
	sts := v1StringToSign(r, rt, r.URL.Query(), r.Header.Get("Date"))
	r.Header.Set("Authorization", "OSS id:"+v1Sign("secret", sts))
	return r
}

// TestCSEChunkedPartSize: a part sent without Content-Length (chunked) is
// held to the same size rule as one that announces its size, and a refused
// one leaves nothing stored.
func TestCSEChunkedPartSize(t *testing.T) {
	env := map[string]string{
		"x-oss-meta-client-side-encryption-key":       "a2V5",
		"x-oss-meta-client-side-encryption-start":     "c3RhcnQ=",
		"x-oss-meta-client-side-encryption-part-size": "1024",
		"x-oss-meta-client-side-encryption-data-size": "2148",
	}
	cases := []struct {
		part, size int
		ec         string
	}{
		{1, 1024, ""},
		{1, 1025, "0005-00000419"},
		{2, 1023, "0005-00000419"},
		{3, 100, ""},
		{3, 101, "0005-00000420"},
		{3, 99, "0005-00000420"},
	}
	for _, store := range []string{"memory", "disk"} {
		t.Run(store, func(t *testing.T) {
			var st Store = NewMemoryStore()
			if store == "disk" {
				var err error
				if st, err = NewDiskStore(t.TempDir()); err != nil {
					t.Fatal(err)
				}
			}
			s, err := New(Options{Store: st, Credentials: []Credential{{AccessKeyID: "id", AccessKeySecret: "secret"}}})
			if err != nil {
				t.Fatal(err)
			}
			s.CreateBucket("cse")
			w := serve(s, signedWith(t, s, "POST", "/cse/k?uploads", nil, env))
			var init initiateResult
			if err := xml.Unmarshal(w.Body.Bytes(), &init); err != nil || init.UploadID == "" {
				t.Fatalf("initiate: %d %s", w.Code, w.Body.String())
			}
			for _, c := range cases {
				r := signedWith(t, s, "PUT", "/cse/k?partNumber="+strconv.Itoa(c.part)+"&uploadId="+init.UploadID, bytes.NewReader(make([]byte, c.size)), nil)
				r.ContentLength = -1 // as a chunked request arrives
				w := serve(s, r)
				if c.ec == "" {
					if w.Code != http.StatusOK {
						t.Fatalf("part %d of %d bytes: %d %s", c.part, c.size, w.Code, w.Body.String())
					}
					continue
				}
				if w.Code != http.StatusBadRequest || errorCode(t, w) != "InvalidEncryptionRequest" || rawHeader(w.Header(), "x-oss-ec") != c.ec {
					t.Fatalf("part %d of %d bytes: %d %s, want EC %s", c.part, c.size, w.Code, w.Body.String(), c.ec)
				}
			}
			// Only the accepted parts are stored, each at its accepted size.
			_, parts, err := st.Upload("cse", init.UploadID)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 2 || parts[0].Size != 1024 || parts[1].Size != 100 {
				t.Fatalf("stored parts %+v, want part 1 of 1024 and part 3 of 100 bytes", parts)
			}
		})
	}
}
