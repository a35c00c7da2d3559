package osslocal_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// The desktop app's local mode: a server on a folder, a demo bucket, the
// official SDK as the client.
func Example() {
	dir, _ := os.MkdirTemp("", "osslocal-example-")
	defer os.RemoveAll(dir)

	store, err := osslocal.NewDiskStore(dir)
	if err != nil {
		panic(err)
	}
	cred := osslocal.Credential{AccessKeyID: "local-id", AccessKeySecret: "local-secret"}
	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}})
	if err != nil {
		panic(err)
	}
	if err := srv.CreateBucket("demo"); err != nil {
		panic(err)
	}
	endpoint, err := srv.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	client, _ := oss.New(endpoint, cred.AccessKeyID, cred.AccessKeySecret)
	bucket, _ := client.Bucket("demo")
	bucket.PutObject("hello.txt", strings.NewReader("hello, local OSS"))
	rc, _ := bucket.GetObject("hello.txt")
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	fmt.Println(string(data))
	// Output: hello, local OSS
}

// Fault rules for a reliability test: the third UploadPart fails with 503,
// and one GetObject in five loses its connection after 64 KiB.
func ExampleFaults() {
	faults := osslocal.NewFaults(1)
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Nth: 3, Action: osslocal.FailWith(503)})
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Probability: 0.2, Action: osslocal.ResetResponseAfter(64 << 10)})
	srv, _ := osslocal.New(osslocal.Options{
		Store:       osslocal.NewMemoryStore(),
		Credentials: []osslocal.Credential{{AccessKeyID: "id", AccessKeySecret: "secret"}},
		Faults:      faults,
	})
	_ = srv // serve it with srv.Start, or use osstest.Start(t, osstest.WithFaults(faults))
}
