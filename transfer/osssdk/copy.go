package osssdk

import (
	"context"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// CopyWithMeta implements transfer.Copier with CopyObject: the content is
// copied on the server, the metadata replaced by meta, the tags dropped,
// and only from the version etag names; with x-oss-forbid-overwrite when
// ctx asks for it (transfer.WithNoOverwrite).
func (s *bucket) CopyWithMeta(ctx context.Context, src, dst, etag, contentType string, meta map[string]string) error {
	if err := checkKey(src); err != nil {
		return err
	}
	if err := checkKey(dst); err != nil {
		return err
	}
	opts := append(newObjectOptions(ctx, meta),
		oss.MetadataDirective(oss.MetaReplace),
		oss.TaggingDirective(oss.TaggingReplace),
		oss.CopySourceIfMatch(etag))
	if contentType != "" {
		opts = append(opts, oss.ContentType(contentType))
	}
	_, err := s.b.CopyObject(src, dst, opts...)
	return remoteError("CopyObject", err)
}
