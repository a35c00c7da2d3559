package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault"
)

// oddNames are file and object names as their writer chose them, and as
// every command prints them: control characters, bidi overrides and the
// backslash escaped, Chinese as it is.
var oddNames = []struct{ raw, shown string }{
	{"line\nbreak", `line\nbreak`},
	{"carriage\rreturn", `carriage\rreturn`},
	{"tab\there", `tab\there`},
	{"\x1b[31mred", `\x1b[31mred`},
	{"\x1b[2J", `\x1b[2J`},
	{"invoice\u202efdp.exe", `invoice\u202efdp.exe`},
	{`back\slash`, `back\\slash`},
	{"季度报告 Ü.pdf", "季度报告 Ü.pdf"},
}

// shownKey is the key as ls prints it, for a key under prefix made of one
// of oddNames.
func shownKey(t *testing.T, prefix, key string) string {
	t.Helper()
	for _, n := range oddNames {
		if key == prefix+n.raw {
			return prefix + n.shown
		}
	}
	t.Fatalf("unexpected key %q", key)
	return ""
}

func TestNamesPrintEscaped(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(t.TempDir(), "Reports")
	for i, n := range oddNames {
		writeFile(t, filepath.Join(dir, n.raw), 10+i)
	}
	h.must("put", "-r", dir, "oss://bkt/team/")

	t.Run("ls", func(t *testing.T) {
		res, err := h.bucket().ListObjectsV2(oss.Prefix("team/Reports/"))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, o := range res.Objects {
			want = append(want, fmt.Sprintf("%d\t%s\tme\t%s", o.Size, o.LastModified.UTC().Format(time.RFC3339), shownKey(t, "team/Reports/", o.Key)))
		}
		if len(want) != len(oddNames) {
			t.Fatalf("put -r stored %d objects, want %d", len(want), len(oddNames))
		}
		if got := h.must("ls", "oss://bkt/team/Reports/"); got != strings.Join(want, "\n")+"\n" {
			t.Fatalf("ls =\n%q\nwant\n%q", got, strings.Join(want, "\n")+"\n")
		}
		if got := h.must("ls", "oss://bkt/team/"); got != "-\t-\t-\tteam/Reports/\n" {
			t.Fatalf("ls of the parent = %q", got)
		}
	})

	t.Run("get warnings", func(t *testing.T) {
		dest := t.TempDir() + "/"
		for _, n := range oddNames {
			if err := h.bucket().PutObject("plain/"+n.raw, strings.NewReader("plain")); err != nil {
				t.Fatal(err)
			}
			_, errs, code := h.run("get", "oss://bkt/plain/"+n.raw, dest)
			want := "ossvault: warning: oss://bkt/plain/" + n.shown + " → " + dest + n.shown + " was not encrypted by a client; saved as-is\n"
			if code != 0 || errs != want {
				t.Errorf("get %q: exit %d, stderr\n%q\nwant\n%q", n.raw, code, errs, want)
			}
			if b, err := os.ReadFile(filepath.Join(dest, n.raw)); err != nil || string(b) != "plain" {
				t.Errorf("get %q saved %q, %v", n.raw, b, err)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, n := range oddNames {
			for _, cmd := range []string{"rm", "share", "info"} {
				_, errs, code := h.run(cmd, "oss://bkt/missing/"+n.raw)
				want := "ossvault: oss://bkt/missing/" + n.shown + ": HeadObject: the object does not exist (HTTP 404 NoSuchKey)\n"
				if cmd == "info" {
					want = "ossvault: HeadObject: the object does not exist (HTTP 404 NoSuchKey)\n"
				}
				if code != 1 || errs != want {
					t.Errorf("%s %q: exit %d, stderr\n%q\nwant\n%q", cmd, n.raw, code, errs, want)
				}
			}
			_, errs, code := h.run("rm", "-r", "oss://bkt/missing/"+n.raw+"/")
			if want := "ossvault: nothing found under oss://bkt/missing/" + n.shown + "/\n"; code != 1 || errs != want {
				t.Errorf("rm -r %q: exit %d, stderr %q, want %q", n.raw, code, errs, want)
			}
			_, errs, code = h.run("put", filepath.Join(dir, "missing "+n.raw), "oss://bkt/x")
			if want := "ossvault: cannot read " + dir + "/missing " + n.shown + ": no such file or directory\n"; code != 1 || errs != want {
				t.Errorf("put of a missing %q: exit %d, stderr %q, want %q", n.raw, code, errs, want)
			}
		}
	})

	t.Run("failed uploads", func(t *testing.T) {
		_, errs, code := h.run("put", filepath.Join(dir, oddNames[0].raw), filepath.Join(dir, oddNames[3].raw), "oss://no-such-bucket/")
		want := "ossvault: failed to upload " + dir + "/" + oddNames[0].shown + ": PutObject: the bucket does not exist (HTTP 404 NoSuchBucket)\n" +
			"ossvault: failed to upload " + dir + "/" + oddNames[3].shown + ": PutObject: the bucket does not exist (HTTP 404 NoSuchBucket) (2 of 2 files failed to upload)\n"
		if code != 1 || errs != want {
			t.Errorf("exit %d, stderr\n%q\nwant\n%q", code, errs, want)
		}
	})

	t.Run("info matdesc", func(t *testing.T) {
		tamperedCopy(t, h, "team/Reports/"+oddNames[7].raw, "odd-matdesc", func(_ []byte, m map[string]string) {
			m["client-side-encryption-matdesc"] = "{\"desc\":\"me\u202e\"}"
		})
		// ossvault's MAC covers the matdesc, so the copy fails its check.
		out, errs, code := h.run("info", "oss://bkt/odd-matdesc")
		if code != 4 || !strings.Contains(out, "\nmatdesc: {\"desc\":\"me\\u202e\"}\n") || strings.Contains(out+errs, "\u202e") {
			t.Errorf("info: exit %d, stdout\n%q\nstderr %q", code, out, errs)
		}
	})
}

// Lines of key list and account list escape what a registry or an
// imported ossutil file may hold, and leave ordinary values alone.
func TestListLinesEscaped(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{keyLine(vault.Key{Name: "me", Kind: vault.KindRSA, Fingerprint: "fp", MatDesc: envelope.MatDesc{"desc": "财务"}, Default: true}), "me\trsa\tfp\t{\"desc\":\"财务\"}\tdefault"},
		{keyLine(vault.Key{Name: "x", Kind: vault.KindRSAPublic, Fingerprint: "fp", MatDesc: envelope.MatDesc{"desc": "a\u202eb"}}), "x\trsa-public\tfp\t{\"desc\":\"a\\u202eb\"}"},
		{accountLine(vault.Account{Name: "a", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "LTAI"}), "a\thttps://oss-cn-hangzhou.aliyuncs.com\t-\tLTAI\taccesskey"},
		{accountLine(vault.Account{Name: "a", Endpoint: "https://h\u202e\tx", Region: "r\x1b", AccessKeyID: "id\n", STS: true}), "a\thttps://h\\u202e\\tx\tr\\x1b\tid\\n\tsts"},
	} {
		if tc.got != tc.want {
			t.Errorf("line %q, want %q", tc.got, tc.want)
		}
	}
}
