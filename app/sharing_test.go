package app

import "testing"

// The copy locked for a colleague sits beside the original, keeps its
// extension, and is named by the caller's words (the user's language).
func TestSharedCopyName(t *testing.T) {
	bracketed := func(name, key string) string { return name + " [" + key + "]" }
	for _, tc := range []struct {
		key, forKey string
		words       func(string, string) string
		want        string
	}{
		{"report.pdf", "Alice", nil, "report (for Alice).pdf"},
		{"team/q1/report.pdf", "Alice", nil, "team/q1/report (for Alice).pdf"},
		{"archive.tar.gz", "Bob", nil, "archive.tar (for Bob).gz"},
		{"team/.profile", "Bob", nil, "team/.profile (for Bob)"},
		{"notes", "Bob", nil, "notes (for Bob)"},
		{"team/report.pdf", "Alice", bracketed, "team/report [Alice].pdf"},
	} {
		if got := SharedCopyName(tc.key, tc.forKey, tc.words); got != tc.want {
			t.Errorf("SharedCopyName(%q, %q) = %q, want %q", tc.key, tc.forKey, got, tc.want)
		}
	}
}
