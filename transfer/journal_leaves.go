package transfer

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// An upload's integrity leaves (32 bytes per chunk of every part read, see
// uploadRecord) are kept beside its journal record, in id.leaves, not in
// the JSON: they grow with the file (32 KiB per GiB, 44 KB per GiB as the
// JSON's base64), and the record is written again, whole, after every
// part. The leaves file is only ever appended to, one entry per part read,
// synced before a byte of that part is sent:
//
//	part number (4 bytes, big-endian) | length L (4 bytes) | L bytes of leaves |
//	the first 16 bytes of SHA-256("ossvault leaves v1\x00", upload id, "\x00", the 8 bytes before, the leaves)
//
// An entry is all there or not at all: one cut short at the end of the
// file (a crash while it was written, before its part was sent) is
// ignored, and its part is read again. A whole entry whose check fails, or
// that names another upload (the upload id is in its check), makes the
// record damaged: it is set aside as any other damaged record. The file is
// made empty when a new upload's record is first written and removed with
// the record; Expire removes one that a crash left without its record.

const leavesMagic = "ossvault leaves v1\x00"

// maxLeavesEntry bounds one entry's leaves: a part of 5 GiB in chunks of
// 1 MiB. Larger lengths are damage, not something to allocate.
const maxLeavesEntry = 5 << 10 * 32

func (j *Journal) leavesPath(id string) (string, error) {
	p, err := j.path(id)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(p, ".json") + ".leaves", nil
}

// leavesSum is an entry's check: head is its first 8 bytes.
func leavesSum(uploadID string, head, leaves []byte) []byte {
	h := sha256.New()
	h.Write([]byte(leavesMagic))
	h.Write([]byte(uploadID))
	h.Write([]byte{0})
	h.Write(head)
	h.Write(leaves)
	return h.Sum(nil)[:16]
}

// startLeaves makes the leaves file of record id empty, for a new upload.
func (j *Journal) startLeaves(id string) error {
	p, err := j.leavesPath(id)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("failed to write the transfer journal: %w", err)
	}
	return closeSynced(f)
}

// appendLeaves adds the leaves of one part of upload uploadID to record
// id's leaves file and syncs it.
func (j *Journal) appendLeaves(id, uploadID string, sp sealedPart) error {
	p, err := j.leavesPath(id)
	if err != nil {
		return err
	}
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(sp.Number))
	binary.BigEndian.PutUint32(head[4:], uint32(len(sp.Leaves)))
	entry := make([]byte, 0, len(head)+len(sp.Leaves)+16)
	entry = append(append(append(entry, head[:]...), sp.Leaves...), leavesSum(uploadID, head[:], sp.Leaves)...)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("failed to write the transfer journal: %w", err)
	}
	if _, err := f.Write(entry); err != nil {
		f.Close()
		return fmt.Errorf("failed to write the transfer journal: %w", err)
	}
	return closeSynced(f)
}

func closeSynced(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("failed to write the transfer journal: %w", err)
	}
	return nil
}

// loadLeaves reads the leaves of upload uploadID from record id's leaves
// file (none if there is no file). A damaged entry gives a reason, in the
// words of a record check, and no leaves.
func (j *Journal) loadLeaves(id, uploadID string) ([]sealedPart, string, error) {
	p, err := j.leavesPath(id)
	if err != nil {
		return nil, "", err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("failed to read the transfer journal: %w", err)
	}
	var out []sealedPart
	for len(b) >= 8 {
		n, l := binary.BigEndian.Uint32(b[:4]), binary.BigEndian.Uint32(b[4:8])
		if l > maxLeavesEntry {
			return nil, fmt.Sprintf("its integrity leaves file has an entry of %d bytes", l), nil
		}
		if int64(len(b)) < 8+int64(l)+16 {
			break // cut short by a crash before its part was sent
		}
		leaves, sum := b[8:8+l], b[8+l:8+l+16]
		if !bytes.Equal(sum, leavesSum(uploadID, b[:8], leaves)) {
			return nil, "its integrity leaves file is damaged or belongs to another upload", nil
		}
		out = append(out, sealedPart{Number: int(n), Leaves: bytes.Clone(leaves)})
		b = b[8+l+16:]
	}
	return out, "", nil
}

// removeLeaves removes record id's leaves file, if any.
func (j *Journal) removeLeaves(id string) error {
	p, err := j.leavesPath(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to remove the transfer journal: %w", err)
	}
	return nil
}
