package app

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// A saved account becomes a connection with its secret from the real
// keychain; the local storage's account also gets a dialer that refuses a
// server that cannot prove it holds the key, in the caller's words.
func TestAccountConn(t *testing.T) {
	testenv.RequireKeychain(t)
	v, err := vault.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(vault.Account{Name: "Head office", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", Region: "cn-hangzhou",
		AccessKeyID: "LTAIcloud", STS: true}, "cloud-secret", "sts-token"); err != nil {
		t.Fatal(err)
	}
	// Something that answers on the local storage's saved address without
	// holding its key.
	ln, err := net.Listen("tcp", LocalHost+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
			c.Close()
		}
	}()
	if _, err := v.AddAccount(vault.Account{Name: LocalAccountName, Endpoint: "http://" + ln.Addr().String(),
		AccessKeyID: "LTAIlocal"}, "local-secret", ""); err != nil {
		t.Fatal(err)
	}
	errWords := errors.New("worded by the caller")
	words := func(addr string, err error) error {
		if !errors.Is(err, osslocal.ErrImpostor) {
			return err
		}
		return errWords
	}

	for _, tc := range []struct {
		name      string
		account   string
		want      transfer.Conn
		wantLocal bool
		wantErr   error
	}{
		{name: "cloud account", account: "Head office",
			want: transfer.Conn{Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", Region: "cn-hangzhou", AccessKeyID: "LTAIcloud", AccessKeySecret: "cloud-secret", SecurityToken: "sts-token"}},
		{name: "local storage", account: LocalAccountName, wantLocal: true,
			want: transfer.Conn{Endpoint: "http://" + ln.Addr().String(), AccessKeyID: "LTAIlocal", AccessKeySecret: "local-secret"}},
		{name: "no such account", account: "Branch", wantErr: vault.ErrAccountNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, local, err := AccountConn(v, tc.account, words)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if local != tc.wantLocal || (c.Dial != nil) != tc.wantLocal {
				t.Errorf("local = %v, dialer %v; want %v", local, c.Dial != nil, tc.wantLocal)
			}
			dial := c.Dial
			c.Dial = nil
			if !reflect.DeepEqual(c, tc.want) {
				t.Errorf("conn = %+v, want %+v", c, tc.want)
			}
			if dial == nil {
				return
			}
			if conn, err := dial(context.Background(), "tcp", ln.Addr().String()); !errors.Is(err, errWords) {
				if conn != nil {
					conn.Close()
				}
				t.Errorf("dialing an impostor: %v, want the caller's words", err)
			}
		})
	}
}
