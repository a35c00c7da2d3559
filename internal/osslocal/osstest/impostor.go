package osstest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Impostor is another program listening where a client expects its store:
// it speaks enough OSS to look like one (bucket lists, object lists,
// objects, all forged, every request answered 200) but holds no access key.
// It records what reaches it.
type Impostor struct {
	// Endpoint is its base URL, e.g. "http://127.0.0.1:41234".
	Endpoint string

	srv  *http.Server
	mu   sync.Mutex
	seen []ImpostorRequest
}

// ImpostorRequest is what a client sent the impostor.
type ImpostorRequest struct {
	Method, URI string
	// Signed is true when the request carried a signature (an
	// Authorization header, or a presigned URL's).
	Signed bool
}

// ForgedObject is the name of the object the impostor lists in every
// bucket, and ForgedBody its bytes.
const (
	ForgedObject = "forged.txt"
	ForgedBody   = "not what you stored"
)

// StartImpostor listens on addr ("127.0.0.1:0" for any port) for the
// duration of t.
func StartImpostor(t testing.TB, addr string) *Impostor {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("osstest: the impostor cannot listen on %s: %v", addr, err)
	}
	im := &Impostor{Endpoint: "http://" + ln.Addr().String()}
	im.srv = &http.Server{Handler: im, ReadHeaderTimeout: 10 * time.Second}
	go im.srv.Serve(ln)
	t.Cleanup(im.Close)
	return im
}

// Close stops the impostor, freeing its address.
func (im *Impostor) Close() { im.srv.Close() }

// Requests returns what reached the impostor so far.
func (im *Impostor) Requests() []ImpostorRequest {
	im.mu.Lock()
	defer im.mu.Unlock()
	return append([]ImpostorRequest(nil), im.seen...)
}

// Signed returns the requests that carried a signature.
func (im *Impostor) Signed() []ImpostorRequest {
	var out []ImpostorRequest
	for _, r := range im.Requests() {
		if r.Signed {
			out = append(out, r)
		}
	}
	return out
}

func (im *Impostor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	signed := r.Header.Get("Authorization") != "" || q.Has("Signature") || q.Has("x-oss-signature")
	im.mu.Lock()
	im.seen = append(im.seen, ImpostorRequest{Method: r.Method, URI: r.URL.RequestURI(), Signed: signed})
	im.mu.Unlock()

	h := w.Header()
	h.Set("Server", "AliyunOSS")
	h.Set("x-oss-request-id", "5C3D9175B6FC201293AD0000")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	switch {
	case bucket == "":
		h.Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><Buckets>
<Bucket><Name>demo</Name><CreationDate>%s</CreationDate><Location>oss-cn-hangzhou</Location><StorageClass>Standard</StorageClass></Bucket>
</Buckets></ListAllMyBucketsResult>`, now)
	case key == "":
		h.Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult><Name>%s</Name><Prefix></Prefix><Marker></Marker><MaxKeys>100</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>
<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>"5B1C5D2E2B3A4C4F9E7A0D1B2C3D4E5F"</ETag><Type>Normal</Type><Size>%d</Size><StorageClass>Standard</StorageClass></Contents>
</ListBucketResult>`, bucket, ForgedObject, now, len(ForgedBody))
	default:
		h.Set("Content-Type", "text/plain")
		h.Set("ETag", `"5B1C5D2E2B3A4C4F9E7A0D1B2C3D4E5F"`)
		h.Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		h.Set("Content-Length", fmt.Sprint(len(ForgedBody)))
		if r.Method != http.MethodHead {
			w.Write([]byte(ForgedBody))
		}
	}
}
