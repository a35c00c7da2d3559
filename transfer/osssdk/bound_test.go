package osssdk

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ossvault/ossvault/transfer"
)

// A server that takes the connection and never answers: the Client's own
// requests end with the caller's context, not at the transport's minute.
func TestClientRequestsEndWithTheContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	svc, err := Connect(transfer.Conn{Endpoint: "http://" + ln.Addr().String(), AccessKeyID: "id", AccessKeySecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func(context.Context) error{
		"CheckKey":     svc.CheckKey,
		"ListBuckets":  func(ctx context.Context) error { _, err := svc.ListBuckets(ctx); return err },
		"CreateBucket": func(ctx context.Context) error { return svc.CreateBucket(ctx, "silent-bucket") },
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- call(ctx) }()
			select {
			case err := <-done:
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("%s on a silent server: %v, want the context's deadline", name, err)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%s on a silent server still waits 20 s after its 300 ms deadline", name)
			}
		})
	}
}
