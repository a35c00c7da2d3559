package osslocal

import (
	"encoding/xml"
	"net/http"
	"net/url"
)

// Read-only answers about configuration a local store does not have (or
// has only one way), given as OSS gives them for a bucket or object left
// at its defaults. The official SDKs' test suites and clean-up helpers ask
// these questions of every bucket they use, so a 501 would fail them for
// nothing; the corresponding writes stay 501 NotImplemented.
const (
	OpGetBucketACL        = "GetBucketAcl"
	OpGetObjectACL        = "GetObjectACL"
	OpListLiveChannel     = "ListLiveChannel"
	OpGetBucketVersioning = "GetBucketVersioning"
)

// objectACLKey is where an object's ACL, as given at upload
// (x-oss-object-acl), is kept among its metadata. ACLs are recorded and
// reported, not enforced: every request must be signed anyway.
const objectACLKey = "x-oss-object-acl"

// objectACLs are the values OSS accepts for x-oss-object-acl.
var objectACLs = map[string]bool{"default": true, "private": true, "public-read": true, "public-read-write": true}

// configOperation names the read-only configuration operations, or "".
// It runs before the check for unsupported subresources.
func configOperation(method string, rt route, q url.Values) string {
	if method != http.MethodGet || rt.bucket == "" {
		return ""
	}
	switch {
	case rt.key != "" && q.Has("acl"):
		return OpGetObjectACL
	case rt.key != "":
		return ""
	case q.Has("acl"):
		return OpGetBucketACL
	case q.Has("live"):
		return OpListLiveChannel
	case q.Has("versioning"):
		return OpGetBucketVersioning
	}
	return ""
}

// serveConfig answers a configuration operation; false if op is not one.
func (c *call) serveConfig() bool {
	switch c.rt.op {
	case OpGetBucketACL:
		c.getBucketACL()
	case OpGetObjectACL:
		c.getObjectACL()
	case OpListLiveChannel:
		c.listLiveChannels()
	case OpGetBucketVersioning:
		c.getBucketVersioning()
	default:
		return false
	}
	return true
}

type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   xmlOwner `xml:"Owner"`
	Grant   string   `xml:"AccessControlList>Grant"`
}

// getBucketACL: a local bucket is private, its owner (the store's one
// account) having full control.
func (c *call) getBucketACL() {
	if _, err := c.s.store.Bucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	c.writeXML(http.StatusOK, accessControlPolicy{Owner: localOwner, Grant: "private"})
}

// getObjectACL: the ACL given when the object was written, else OSS's
// "default" (the object follows its bucket's ACL).
func (c *call) getObjectACL() {
	o, err := c.s.store.OpenObject(c.rt.bucket, c.rt.key)
	if err != nil {
		c.failStore(err)
		return
	}
	info := o.Info()
	o.Close()
	acl := info.Meta[objectACLKey]
	if acl == "" {
		acl = "default"
	}
	c.writeXML(http.StatusOK, accessControlPolicy{Owner: localOwner, Grant: acl})
}

type listLiveChannelResult struct {
	XMLName     xml.Name `xml:"ListLiveChannelResult"`
	Prefix      string   `xml:"Prefix"`
	Marker      string   `xml:"Marker"`
	MaxKeys     int      `xml:"MaxKeys"`
	IsTruncated bool     `xml:"IsTruncated"`
	NextMarker  string   `xml:"NextMarker"`
}

// listLiveChannels: a local store has no RTMP ingest, so no channels.
func (c *call) listLiveChannels() {
	maxKeys, e := c.intParam("max-keys", 100, 1000)
	if e != nil {
		c.fail(e)
		return
	}
	if _, err := c.s.store.Bucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	c.writeXML(http.StatusOK, listLiveChannelResult{Prefix: c.query("prefix"), Marker: c.query("marker"), MaxKeys: maxKeys})
}

// getBucketVersioning: versioning has never been enabled, which OSS
// answers with a configuration without Status.
func (c *call) getBucketVersioning() {
	if _, err := c.s.store.Bucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	c.writeXML(http.StatusOK, struct {
		XMLName xml.Name `xml:"VersioningConfiguration"`
	}{})
}
