package transfer

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// An error from a link names the host and the object but never carries the
// link's query, where its signature and AccessKey ID are.
func TestLinkErrorsHideQuery(t *testing.T) {
	dead := closedPort(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+dead+"/elsewhere?OSSAccessKeyId=LTAIredirect&Signature=cmVkaXJlY3Q%3D", http.StatusFound)
	}))
	defer redirect.Close()
	for _, tc := range []struct {
		name, link, want string
	}{
		{"closed port", "http://" + dead + "/bkt/r.pdf?Expires=1900000000&OSSAccessKeyId=LTAIexample&Signature=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D",
			`GetObject: Get "http://` + dead + `/bkt/r.pdf?…": dial tcp ` + dead + `: connect: connection refused`},
		{"redirected to a closed port", redirect.URL + "/bkt/r.pdf?Expires=1900000000&OSSAccessKeyId=LTAIexample&Signature=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D",
			`GetObject: Get "http://` + dead + `/elsewhere?…": dial tcp ` + dead + `: connect: connection refused`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseLink(tc.link)
			if err != nil {
				t.Fatal(err)
			}
			_, err = l.Head(context.Background(), "")
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v\nwant %s", err, tc.want)
			}
			// The cause survives, and a refusal is retried for a while (the
			// local store may be restarting).
			if !errors.Is(err, syscall.ECONNREFUSED) || !isTemporary(err) {
				t.Errorf("the refusal is lost or not retried: %v", err)
			}
		})
	}
	_, err := ParseLink(strings.Replace(testLink, "https://", "ftp://", 1))
	if err == nil || err.Error() != `not a shared link: "ftp://bkt.example.com/shared/r.pdf?…"` {
		t.Errorf("ParseLink: %v", err)
	}
	_, err = ParseLink("https://bkt.example.com:port/r.pdf?Signature=c2VjcmV0%3D")
	if err == nil || err.Error() != `not a shared link: "https://bkt.example.com:port/r.pdf?…"` {
		t.Errorf("ParseLink: %v", err)
	}
}
