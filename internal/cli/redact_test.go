package cli

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// A shared link's signature (and the AccessKey ID beside it) never reaches
// stderr, however "get LINK" fails: the query is stripped where the error
// is built and, failing that, where it is printed.
func TestGetLinkErrorsHideSignature(t *testing.T) {
	var ahead atomic.Int64 // how far the server's clock runs ahead
	h := newHarness(t, osstest.WithClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	src := filepath.Join(t.TempDir(), "src")
	writeFile(t, src, 1000)
	h.must("put", src, "oss://bkt/shared.bin")
	link := strings.TrimSpace(h.must("share", "oss://bkt/shared.bin", "--expires", "1h"))
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	sig, keyID := q.Get("Signature"), q.Get("OSSAccessKeyId")
	if sig == "" || keyID == "" {
		t.Fatalf("the link %q has no V1 signature", link)
	}
	secrets := []string{sig, url.QueryEscape(sig), keyID}

	with := func(change func(u *url.URL)) string {
		c := *u
		change(&c)
		return c.String()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().String()
	l.Close()
	wrongSig := url.Values{}
	for k, v := range q {
		wrongSig[k] = v
	}
	wrongSig.Set("Signature", "AAAAwrongSignatureAAAA=")
	secrets = append(secrets, "AAAAwrongSignatureAAAA")

	recipient := *h
	recipient.vars = map[string]string{"OSSVAULT_HOME": h.home}
	for _, tc := range []struct {
		name    string
		link    string
		before  func()
		code    int
		message string // what stderr must say
	}{
		{"closed port", with(func(c *url.URL) { c.Host = closedPort }), nil, 1, "connection refused"},
		{"wrong signature", with(func(c *url.URL) { c.RawQuery = wrongSig.Encode() }), nil, 1, "access denied"},
		{"expired", link, func() { ahead.Store(int64(2 * time.Hour)) }, 1, "expired"},
		{"not a link", strings.Replace(link, u.Host, u.Hostname()+":port", 1), nil, 2, "not a shared link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			_, errs, code := recipient.run("get", tc.link, filepath.Join(t.TempDir(), "out"))
			if code != tc.code || !strings.Contains(errs, tc.message) {
				t.Fatalf("exit %d, %q; want %d saying %q", code, errs, tc.code, tc.message)
			}
			for _, s := range secrets {
				if strings.Contains(errs, s) {
					t.Errorf("stderr %q holds %q", errs, s)
				}
			}
			if !strings.HasPrefix(errs, "ossvault: ") || strings.Count(errs, "\n") != 1 {
				t.Errorf("stderr %q is not one ossvault: line", errs)
			}
		})
	}
}

func TestErrorLineRedacts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`GetObject: Get "https://b.example.com/k?Expires=1&OSSAccessKeyId=AK&Signature=c2ln": EOF`, `GetObject: Get "https://b.example.com/k?…": EOF`},
		{"https://h/k?x-oss-credential=AK%2Fd&x-oss-signature=ab12 failed", "https://h/k?… failed"},
		{"two\nlines\r\nhere", "two; lines; here"},
		{"name \x1b[2J\u202e", `name \x1b[2J\u202e`},
		{"  plain words  ", "plain words"},
	} {
		if got := errorLine(errorString(tc.in)); got != tc.want {
			t.Errorf("errorLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
