package ui

import (
	"strings"
	"testing"
	"time"
)

// The "Tamper check" column names who signed a file, and warns when it is
// a stranger or a copy under another name; altered says only that.
func TestSealTextNamesTheWriter(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	bob := Writer{Signed: true, Name: "Bob", Fingerprint: "K7QX-2M4P", UploadedAs: "oss://pay/bob.csv", UploadedAt: at}
	stranger := bob
	stranger.Name = ""
	moved := bob
	moved.Moved, moved.UploadedAs = true, "oss://pay/alice.csv"
	for _, tc := range []struct {
		name string
		lock Lock
		want string
	}{
		{"protected, from Bob", Lock{Seal: SealPresent, Writer: bob}, "protected · from Bob"},
		{"intact, from Bob", Lock{Seal: SealVerified, Writer: bob}, "✓ intact · from Bob"},
		{"a stranger", Lock{Seal: SealPresent, Writer: stranger}, "protected · ⚠ from someone not in your keys"},
		{"a copy", Lock{Seal: SealVerified, Writer: moved}, "✓ intact · from Bob · ⚠ uploaded under another name"},
		{"not signed", Lock{Seal: SealPresent}, "protected"},
		{"mine", Lock{Seal: SealPresent, Writer: Writer{Signed: true, Name: "My key", Me: true}}, "protected · from me"},
		{"altered names nobody", Lock{Seal: SealBroken, Writer: bob}, "⚠ altered"},
		{"other client", Lock{Seal: SealAbsent}, "not protected"},
	} {
		if got := sealText(tc.lock); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if s := writerExplained(moved); !strings.Contains(s, "oss://pay/alice.csv") || !strings.Contains(s, "2026-12-01") {
		t.Errorf("Details for a copy: %q", s)
	}
	if s := writerExplained(stranger); !strings.Contains(s, "K7QX-2M4P") {
		t.Errorf("Details for a stranger: %q", s)
	}
}
