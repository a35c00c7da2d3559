//go:build tools

// Package deps pins modules that packages under construction are about to
// import, so that go mod tidy keeps them while they land one by one.
package deps

import (
	_ "filippo.io/age"
	_ "github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	_ "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	_ "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	_ "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/crypto"
	_ "github.com/aliyun/aliyun-oss-go-sdk/oss"
	_ "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"
	_ "github.com/jezek/xgb"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/crypto/hkdf"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
)
