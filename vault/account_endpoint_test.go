package vault

import (
	"errors"
	"testing"
)

func TestSetAccountEndpoint(t *testing.T) {
	v := newTestVault(t)
	if _, err := v.AddAccount(Account{Name: "here", Endpoint: "http://127.0.0.1:4000", AccessKeyID: "LTAIlocal"}, "s3cret", ""); err != nil {
		t.Fatal(err)
	}
	got, err := v.SetAccountEndpoint("here", "http://127.0.0.1:5000/")
	if err != nil {
		t.Fatal(err)
	}
	if got.Endpoint != "http://127.0.0.1:5000" || got.AccessKeyID != "LTAIlocal" {
		t.Fatalf("returned %+v", got)
	}
	again, err := v.Account("here")
	if err != nil || again.Endpoint != "http://127.0.0.1:5000" {
		t.Fatalf("saved %+v, %v", again, err)
	}
	id, secret, _, err := v.Credentials("here")
	if err != nil || id != "LTAIlocal" || secret != "s3cret" {
		t.Fatalf("credentials after the move: %q %v", id, err)
	}

	for _, tc := range []struct {
		name, account, endpoint string
		want                    error
	}{
		{"unknown account", "elsewhere", "http://127.0.0.1:5001", ErrAccountNotFound},
		{"plain http to another host", "here", "http://example.com", nil},
		{"not a URL", "here", "http://[::1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.SetAccountEndpoint(tc.account, tc.endpoint)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("got %v, want an error (%v)", err, tc.want)
			}
			if a, _ := v.Account("here"); a.Endpoint != "http://127.0.0.1:5000" {
				t.Fatalf("a refused move changed the account to %s", a.Endpoint)
			}
		})
	}
}

// The setting is saved with the account, survives a reopen of the
// registry and an endpoint move, and is off for an account added without it.
func TestSetVerifiedOnly(t *testing.T) {
	v := newTestVault(t)
	if _, err := v.AddAccount(Account{Name: "strict", Endpoint: "http://127.0.0.1:4000", AccessKeyID: "LTAIa", VerifiedOnly: true}, "s", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(Account{Name: "open", Endpoint: "http://127.0.0.1:4001", AccessKeyID: "LTAIb"}, "s", ""); err != nil {
		t.Fatal(err)
	}
	if a, _ := v.Account("open"); a.VerifiedOnly {
		t.Fatal("an account added without the setting has it on")
	}
	if _, err := v.SetAccountEndpoint("strict", "http://127.0.0.1:5000"); err != nil {
		t.Fatal(err)
	}
	if a, _ := v.Account("strict"); !a.VerifiedOnly {
		t.Fatal("the setting was lost when the endpoint moved")
	}
	if a, err := v.SetVerifiedOnly("open", true); err != nil || !a.VerifiedOnly {
		t.Fatalf("turning it on: %+v %v", a, err)
	}
	if a, err := v.SetVerifiedOnly("strict", false); err != nil || a.VerifiedOnly {
		t.Fatalf("turning it off: %+v %v", a, err)
	}
	again, err := Open(v.Home(), WithKeychain(LimitedKeychain{SystemKeychain{}}))
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := again.Account("open"); !a.VerifiedOnly {
		t.Fatal("the setting did not survive a reopen")
	}
	if a, _ := again.Account("strict"); a.VerifiedOnly {
		t.Fatal("turning it off did not survive a reopen")
	}
	if _, err := v.SetVerifiedOnly("nowhere", true); !errors.Is(err, ErrAccountNotFound) {
		t.Fatalf("an unknown account: %v", err)
	}
}
