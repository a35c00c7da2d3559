package osslocal

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

// FuzzCheckHello: whatever a program on the address sends back, the check
// neither panics nor accepts an answer other than the right MAC.
func FuzzCheckHello(f *testing.F) {
	const id, secret, nonce, addr = "LTAIfuzz", "fuzz-secret", "00112233445566778899aabbccddeeff", "127.0.0.1:4321"
	good := hex.EncodeToString(helloMAC(id, secret, nonce, addr))
	f.Add([]byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Ossvault-Hello: %s\r\nContent-Length: 0\r\n\r\n", good)))
	f.Add([]byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Ossvault-Hello: %s\r\nContent-Length: 2\r\n\r\nhi", good)))
	f.Add([]byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nX-Ossvault-Hello: %s\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", good)))
	f.Add([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n<ListAllMyBucketsResult/>"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, resp []byte) {
		err := checkHello(bufio.NewReader(bytes.NewReader(resp)), id, secret, nonce, addr)
		if err != nil && !errors.Is(err, ErrImpostor) {
			t.Fatalf("an error that is not ErrImpostor: %v", err)
		}
		if err == nil && !bytes.Contains(bytes.ToLower(resp), []byte(good)) {
			t.Fatalf("accepted %q without the MAC", resp)
		}
	})
}
