package cli

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stripMAC removes ossvault's MAC headers, as an attacker with write access
// to the bucket would before changing the content.
func stripMAC(m map[string]string) {
	for _, n := range []string{"ossvault-mac-alg", "ossvault-chunk-size", "ossvault-size", "ossvault-mac"} {
		delete(m, n)
	}
}

// flipB64 changes the last byte of a base64 header value.
func flipB64(t *testing.T, m map[string]string, name string) {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(m[name])
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b[len(b)-1] ^= 0x01
	m[name] = base64.StdEncoding.EncodeToString(b)
}

// Each attack is made with the official SDK against the real endpoint; the
// object still carries ossvault's markers, so every read must refuse it
// (exit 4) and leave nothing at the destination, ranges included.
func TestGetFailsClosed(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "pay.csv")
	writeFile(t, src, 2<<20+5)
	h.must("put", src, "oss://bkt/pay.csv")
	for _, tc := range []struct {
		name   string
		change func([]byte, map[string]string)
	}{
		{"MAC stripped, bytes changed", func(d []byte, m map[string]string) { stripMAC(m); d[9] ^= 0x09 }},
		{"MAC stripped, bytes kept", func(_ []byte, m map[string]string) { stripMAC(m) }},
		{"wrapped key changed", func(_ []byte, m map[string]string) { flipB64(t, m, "client-side-encryption-key") }},
		{"wrapped counter changed", func(_ []byte, m map[string]string) { flipB64(t, m, "client-side-encryption-start") }},
		{"key check changed", func(_ []byte, m map[string]string) { flipB64(t, m, "ossvault-key-check") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tamperedCopy(t, h, "pay.csv", "t.csv", tc.change)
			for _, extra := range [][]string{nil, {"--range", "0-99"}, {"--range", "-10"}, {"--range", "5-20", "--verify"}} {
				dir := t.TempDir()
				args := append([]string{"get", "oss://bkt/t.csv", filepath.Join(dir, "out")}, extra...)
				_, errs, code := h.run(args...)
				if code != 4 || !strings.HasPrefix(errs, "ossvault: ") {
					t.Fatalf("%v: exit %d (%q), want 4", extra, code, errs)
				}
				if ents, _ := os.ReadDir(dir); len(ents) != 0 {
					t.Fatalf("%v: left %d files at the destination", extra, len(ents))
				}
			}
			out, _, code := h.run("info", "oss://bkt/t.csv")
			if code != 4 || !strings.Contains(out, "integrity: failed") {
				t.Fatalf("info: exit %d\n%s", code, out)
			}
		})
	}
}

// A range is checked against the object's leaf table; a copy made by
// another client has none, and the command says so, while --verify reads
// the whole object to check it.
func TestGetRangeVerify(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "r")
	want := writeFile(t, src, 3<<20+11)
	h.must("put", src, "oss://bkt/r")
	tamperedCopy(t, h, "r", "bad", func(d []byte, _ map[string]string) { d[2<<20+1] ^= 0x40 })

	// Untouched: checked by its leaf table, with or without --verify.
	out := filepath.Join(t.TempDir(), "a")
	_, errs, code := h.run("get", "oss://bkt/r", out, "--range", "10-99")
	got, _ := os.ReadFile(out)
	if code != 0 || !bytes.Equal(got, want[10:100]) || errs != "" {
		t.Fatalf("range: exit %d, %d bytes, stderr %q", code, len(got), errs)
	}
	out = filepath.Join(t.TempDir(), "b")
	_, errs, code = h.run("get", "oss://bkt/r", out, "--range", "1048570-2097160", "--verify")
	got, _ = os.ReadFile(out)
	if code != 0 || !bytes.Equal(got, want[1048570:2097161]) || errs != "" {
		t.Fatalf("range --verify: exit %d, %d bytes, stderr %q", code, len(got), errs)
	}

	// Altered outside the range, in a copy without a leaf table: only
	// --verify finds it.
	out = filepath.Join(t.TempDir(), "c")
	_, errs, code = h.run("get", "oss://bkt/bad", out, "--range", "0-99")
	if code != 0 || !strings.Contains(errs, "warning: range not verified: oss://bkt/bad has no leaf table") || !strings.Contains(errs, "use --verify to check the whole object") {
		t.Fatalf("altered, range: exit %d, stderr %q", code, errs)
	}
	dir := t.TempDir()
	_, errs, code = h.run("get", "oss://bkt/bad", filepath.Join(dir, "d"), "--range", "0-99", "--verify")
	if code != 4 {
		t.Fatalf("altered, range --verify: exit %d, stderr %q", code, errs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %d files", len(ents))
	}
	if _, _, code := h.run("get", "oss://bkt/r", filepath.Join(t.TempDir(), "e"), "--verify"); code != 2 {
		t.Fatalf("--verify without --range: exit %d, want 2", code)
	}
}

// --verified-only refuses whatever carries no integrity check: plaintext,
// and objects with every ossvault marker removed (as another client's).
func TestGetVerifiedOnly(t *testing.T) {
	h := newHarness(t)
	if err := h.bucket().PutObject("plain.txt", strings.NewReader("PAY Alice 9000")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "mine")
	want := writeFile(t, src, 200<<10)
	h.must("put", src, "oss://bkt/mine")
	tamperedCopy(t, h, "mine", "foreign", func(_ []byte, m map[string]string) {
		for n := range m {
			if strings.HasPrefix(n, "ossvault-") {
				delete(m, n)
			}
		}
	})
	for _, key := range []string{"plain.txt", "foreign"} {
		// Without the flag: saved with a warning, as the contract says.
		_, errs, code := h.run("get", "oss://bkt/"+key, filepath.Join(t.TempDir(), "x"))
		if code != 0 || !strings.Contains(errs, "warning") {
			t.Fatalf("%s: exit %d, stderr %q", key, code, errs)
		}
		for _, extra := range [][]string{nil, {"--range", "0-3"}} {
			dir := t.TempDir()
			args := append([]string{"get", "oss://bkt/" + key, filepath.Join(dir, "x"), "--verified-only"}, extra...)
			_, errs, code := h.run(args...)
			if code != 4 || !strings.Contains(errs, "only verified objects") {
				t.Fatalf("%s %v --verified-only: exit %d, stderr %q", key, extra, code, errs)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("%s: left %d files", key, len(ents))
			}
		}
	}
	// ossvault's own objects pass, whole and as a range (checked whole).
	out := filepath.Join(t.TempDir(), "m")
	h.must("get", "oss://bkt/mine", out, "--verified-only")
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Fatal("verified-only download differs")
	}
	out = filepath.Join(t.TempDir(), "n")
	_, errs, code := h.run("get", "oss://bkt/mine", out, "--verified-only", "--range", "-5")
	if got, _ := os.ReadFile(out); code != 0 || errs != "" || !bytes.Equal(got, want[len(want)-5:]) {
		t.Fatalf("verified-only range: exit %d, stderr %q", code, errs)
	}
}
