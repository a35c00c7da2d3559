package ui

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// silentListener accepts connections and never answers on them, as an
// address behind a firewall that swallows requests does, until the test
// ends.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// closedAddress is an address on this computer where nothing listens.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestE2EConnectErrors fills in the connect page of a first run in a real
// window, with the keyboard, and meets each way a connection goes wrong:
// an address that takes the connection and never answers, a closed port,
// a web server that is not OSS, a wrong AccessKey secret against a real
// endpoint, and "Import from ossutil" with no ossutil settings. Each ends
// with a sentence that says what to check; then the right details connect.
// The build the issue was filed against held "Checking…" for 60 s with no
// Cancel, spoke of shared links for a closed port, and read "Something went
// wrong" or a bare not-found for the web server and ossutil: each fails
// here.
func TestE2EConnectErrors(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	root := t.TempDir()
	cred := [2]string{"LTAIconnecterrors", "connect-errors-secret"}
	ep := startServeLocal(t, bin, filepath.Join(root, "store"), cred)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html><head><title>Intranet</title></head><body><h1>Welcome to the intranet</h1></body></html>\n"))
	}))
	defer web.Close()
	silent := silentListener(t)
	closed := closedAddress(t)

	p := &person{t: t, bin: bin, name: "Erin", home: filepath.Join(root, "home"), user: filepath.Join(root, "user")}
	for _, d := range []string{p.home, p.user} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	p.env = append(os.Environ(), "OSSVAULT_HOME="+p.home, "HOME="+p.user, "LANGUAGE=en")
	p.must(nil, "key", "gen", "Erin", "--bits", "2048")
	screen, screenEnv := screenTextFile(t)
	appLog, _ := runApp(t, bin, append(p.env, screenEnv))
	src, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	s := openRealScreen(t, display, screen, src, appLog)

	s.click("button", "Connect to Alibaba Cloud OSS")
	s.waitText("AccessKey secret", 30*time.Second)

	// No ossutil settings on this computer.
	s.click("button", "Import from ossutil")
	s.waitSays("ossutil's settings were not found on this computer (looked for "+filepath.Join(p.user, ".ossutilconfig")+"). Set up ossutil with “ossutil config” first, or fill in the AccessKey here.", 10*time.Second)

	fill := func(field, text string) {
		t.Helper()
		s.entryBeside(field)
		s.press(xkA, xkCtrlL)
		s.typeText(text)
	}
	fill("AccessKey ID", cred[0])
	fill("AccessKey secret", "not-the-secret")

	// An address that never answers: Cancel stops the check at once...
	fill("Address", silent)
	s.click("button", "Connect")
	s.waitSays("Checking…", 5*time.Second)
	s.click("button", "Cancel")
	v := s.waitSays("Stopped. Nothing was saved.", 3*time.Second)
	if _, ok := v.find("button", "Cancel"); ok {
		s.fatalf("Cancel is still on show after the check stopped")
	}
	// ...and without Cancel the page gives up after 10 s, with slack
	// for a slow machine.
	s.click("button", "Connect")
	s.waitSays("Checking…", 5*time.Second)
	s.waitSays(silent+" did not answer within 10 seconds. Check the address, or this computer's internet connection.", 20*time.Second)

	// A closed port on this computer: nothing about links.
	fill("Address", closed)
	s.click("button", "Connect")
	v = s.waitSays("Nothing answers at "+closed+". Check the address, and that the storage service there is running.", 20*time.Second)
	for _, it := range v.all("text", "") {
		if strings.Contains(strings.ToLower(it.Text), "link") {
			s.fatalf("a closed port reads %q", it.Text)
		}
	}

	// A web server that is not OSS.
	fill("Address", web.URL)
	s.click("button", "Connect")
	s.waitSays("The server at that address answered, but it is not an OSS storage service. Check the endpoint address.", 20*time.Second)

	// The real endpoint, with a wrong secret, then the right one.
	fill("Address", ep.url)
	s.click("button", "Connect")
	s.waitSays("The sign-in details for this storage account are not right. Check the AccessKey ID and secret.", 20*time.Second)
	fill("AccessKey secret", cred[1])
	s.click("button", "Connect")
	s.waitText("Open a shared link…", 20*time.Second)
}
