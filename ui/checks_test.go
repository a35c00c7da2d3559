package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestCheckCacheKeysByVersion(t *testing.T) {
	c := newCheckCache()
	loc := Location{Account: "a", Bucket: "b"}
	c.put("a", "b", "k", `"v1"`, SealBroken)
	c.put("a", "b", "ignored", "", SealVerified)
	c.put("a", "b", "unknown", `"v1"`, SealUnknown)
	for _, tc := range []struct {
		name string
		key  string
		lock Lock
		want Seal
	}{
		{"the version downloaded", "k", Lock{Seal: SealPresent, ETag: `"v1"`}, SealBroken},
		{"a newer version", "k", Lock{Seal: SealPresent, ETag: `"v2"`}, SealPresent},
		{"a lock without a version", "k", Lock{Seal: SealPresent}, SealPresent},
		{"a download without a version", "ignored", Lock{Seal: SealAbsent, ETag: ""}, SealAbsent},
		{"nothing found out", "unknown", Lock{Seal: SealPresent, ETag: `"v1"`}, SealPresent},
		{"another bucket", "k", Lock{Seal: SealPresent, ETag: `"v1"`}, SealPresent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := loc
			if tc.name == "another bucket" {
				l.Bucket = "other"
			}
			if got := c.apply(l, tc.key, tc.lock).Seal; got != tc.want {
				t.Fatalf("seal %v, want %v", got, tc.want)
			}
		})
	}
	// The cache stays bounded: the oldest marks go first.
	for i := range checkCacheSize + 10 {
		c.put("a", "b", strings.Repeat("x", i%50)+string(rune('a'+i%26)), `"v`+string(rune('0'+i%10))+`"`+strings.Repeat("-", i), SealVerified)
	}
	if len(c.seals) > checkCacheSize || len(c.order) != len(c.seals) {
		t.Fatalf("cache holds %d marks (%d in order), limit %d", len(c.seals), len(c.order), checkCacheSize)
	}
	if got := c.apply(loc, "k", Lock{Seal: SealPresent, ETag: `"v1"`}).Seal; got != SealPresent {
		t.Fatalf("the oldest mark survived %d newer ones: %v", checkCacheSize+10, got)
	}
}

// sealOnScreen is the "Tamper check" column as the row for name shows it.
func sealOnScreen(t *testing.T, b *browser, name string) string {
	t.Helper()
	for i, idx := range b.view {
		if b.all[idx].Name == name {
			r := newFileRow(b)
			b.updateRow(i, r)
			return r.seal.Text
		}
	}
	t.Fatalf("no row %q in %v", name, rowNames(b))
	return ""
}

func TestDownloadMarksCheck(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", "tampered.pdf", 300, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	u := startMain(t, f)
	tr := f.Transfers().(*fakeTransfers)
	for _, tc := range []struct {
		name   string
		before string
		state  JobState
		seal   Seal
		after  string
		detail string
	}{
		{"contract.pdf", "protected", JobDone, SealVerified, "✓ intact", "✓ intact"},
		{"from-bob.docx", "not protected", JobDone, SealNotChecked, "not protected", "not protected (another app)"},
		{"tampered.pdf", "protected", JobFailed, SealBroken, "⚠ altered", "⚠ altered · This file was altered after it was uploaded."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sealOnScreen(t, u.browser, tc.name); got != tc.before {
				t.Fatalf("before the download the column says %q, want %q", got, tc.before)
			}
			l, _ := f.Storage().Lock(u.ctx, u.browser.loc, tc.name)
			selectFile(t, u.browser, tc.name)
			test.Tap(u.browser.getBtn)
			u.wait()
			id := u.transfers.jobs[len(u.transfers.jobs)-1].ID
			tr.set(id, func(j *Job) {
				j.State, j.Done, j.Seal, j.ETag = tc.state, j.Total, tc.seal, l.ETag
				if tc.state == JobFailed {
					j.Err = errIntegrityForTest()
				}
			})
			u.wait()
			if got := sealOnScreen(t, u.browser, tc.name); got != tc.after {
				t.Fatalf("after the download the column says %q, want %q", got, tc.after)
			}
			row := newJobRow(u.transfers)
			row.show(len(u.transfers.jobs) - 1)
			if got := row.detail.Text; !strings.Contains(got, tc.detail) {
				t.Fatalf("the transfer says %q, want it to contain %q", got, tc.detail)
			}
		})
	}
	// A new version of the object (a new ETag) is not the one checked.
	f.addObject("This computer", "demo", "contract.pdf", 2048, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	u.browser.locks.forget(u.browser.loc, "contract.pdf")
	sealOnScreen(t, u.browser, "contract.pdf") // asks for the new lock
	u.browser.locks.wait()
	u.wait()
	if got := sealOnScreen(t, u.browser, "contract.pdf"); got != "protected" {
		t.Fatalf("a replaced object still shows %q", got)
	}
}
