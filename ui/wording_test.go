package ui

import (
	"strings"
	"testing"
)

// The copy made for a colleague is named in the bucket's words, the same
// in every language of the app.
func TestSharedCopyName(t *testing.T) {
	for _, tc := range []struct {
		lang, key, forKey, want string
	}{
		{"en", "reports/q1.pdf", "Alice", "reports/q1 (for Alice).pdf"},
		{"en", "q1", "Alice", "q1 (for Alice)"},
		{"en", "docs/.profile", "Bob", "docs/.profile (for Bob)"},
		{"en", "a.b/c", "Bob", "a.b/c (for Bob)"},
		{"en", "年报.tar.gz", "王芳", "年报.tar (for 王芳).gz"},
		{"zh", "reports/q1.pdf", "Alice", "reports/q1 (for Alice).pdf"},
		{"zh", "报告/合同 2026.docx", "王芳", "报告/合同 2026 (for 王芳).docx"},
		{"ja", "報告.pdf", "Bob", "報告 (for Bob).pdf"},
	} {
		if err := setLanguage(tc.lang); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { setLanguage("en") })
		if got := sharedCopyName(tc.key, tc.forKey); got != tc.want {
			t.Errorf("%s: copy of %q for %s is %q, want %q", tc.lang, tc.key, tc.forKey, got, tc.want)
		}
	}
}

// The integrity column and its sentences use one vocabulary: protected,
// intact, altered, not protected.
func TestTamperCheckWords(t *testing.T) {
	for _, tc := range []struct {
		seal       Seal
		mark, says string
	}{
		{SealPresent, "protected", "Protected:"},
		{SealVerified, "✓ intact", "Intact:"},
		{SealBroken, "⚠ altered", "Altered"},
		{SealAbsent, "not protected", "Not protected:"},
		{SealNotChecked, "not protected", "not protected:"},
		{SealUnknown, "", "no tamper check"},
	} {
		if got := sealText(Lock{Seal: tc.seal}); got != tc.mark {
			t.Errorf("seal %d: column %q, want %q", tc.seal, got, tc.mark)
		}
		if got := sealExplained(tc.seal); !strings.Contains(got, tc.says) {
			t.Errorf("seal %d: details %q, want it to say %q", tc.seal, got, tc.says)
		}
	}
}
