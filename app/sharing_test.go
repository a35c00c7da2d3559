package app

import "testing"

// The copy locked for a colleague sits beside the original, keeps its
// extension, and is named in the bucket's words, whatever the app's
// language.
func TestSharedCopyName(t *testing.T) {
	for _, tc := range []struct {
		key, forKey string
		want        string
	}{
		{"report.pdf", "Alice", "report (for Alice).pdf"},
		{"team/q1/report.pdf", "Alice", "team/q1/report (for Alice).pdf"},
		{"archive.tar.gz", "Bob", "archive.tar (for Bob).gz"},
		{"team/.profile", "Bob", "team/.profile (for Bob)"},
		{"notes", "Bob", "notes (for Bob)"},
		{"报告/合同 2026.docx", "王芳", "报告/合同 2026 (for 王芳).docx"},
	} {
		if got := SharedCopyName(tc.key, tc.forKey); got != tc.want {
			t.Errorf("SharedCopyName(%q, %q) = %q, want %q", tc.key, tc.forKey, got, tc.want)
		}
	}
}
