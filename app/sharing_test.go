package app

import (
	"path"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/transfer"
)

// The copy made for a colleague keeps the file's plain name, out of the
// folders' sight, in a folder of its own for each share, and has a leaf
// table like any file of the user's.
func TestSharedCopyKey(t *testing.T) {
	for _, key := range []string{"report.pdf", "team/q1/report.pdf", "archive.tar.gz", "team/.profile", "notes", "报告/合同 2026.docx"} {
		a, err := sharedCopyKey(key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := sharedCopyKey(key)
		switch {
		case !strings.HasPrefix(a, transfer.SharedPrefix) || !transfer.IsInternalKey(a):
			t.Errorf("the copy of %q is %q, in sight of the folders", key, a)
		case path.Base(a) != path.Base(key):
			t.Errorf("the copy of %q is named %q, not by its plain name", key, path.Base(a))
		case strings.Count(strings.TrimPrefix(a, transfer.SharedPrefix), "/") != 1:
			t.Errorf("the copy of %q is %q: want one folder of its own", key, a)
		case a == b:
			t.Errorf("two shares of %q got the same copy %q", key, a)
		case transfer.LeavesKey(a) == "":
			t.Errorf("the copy %q has no leaf table", a)
		}
	}
}
