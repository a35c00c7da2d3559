package ui

import (
	"strings"
	"testing"
)

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
