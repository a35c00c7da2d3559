package osslocal

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// XML shapes of OSS responses, as the SDKs parse them (v1 oss/type.go, v2
// oss/api_op_*.go).

const ownerID = "local"

type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var localOwner = xmlOwner{ID: ownerID, DisplayName: ownerID}

type xmlBucket struct {
	Name         string `xml:"Name"`
	Location     string `xml:"Location"`
	CreationDate string `xml:"CreationDate"`
	StorageClass string `xml:"StorageClass"`
	Region       string `xml:"Region"`
}

type listBucketsResult struct {
	XMLName     xml.Name    `xml:"ListAllMyBucketsResult"`
	Prefix      string      `xml:"Prefix,omitempty"`
	Marker      string      `xml:"Marker,omitempty"`
	MaxKeys     int         `xml:"MaxKeys,omitempty"`
	IsTruncated bool        `xml:"IsTruncated"`
	NextMarker  string      `xml:"NextMarker,omitempty"`
	Owner       xmlOwner    `xml:"Owner"`
	Buckets     []xmlBucket `xml:"Buckets>Bucket"`
}

type bucketInfoResult struct {
	XMLName xml.Name `xml:"BucketInfo"`
	Bucket  struct {
		Name                   string   `xml:"Name"`
		Location               string   `xml:"Location"`
		Region                 string   `xml:"Region"`
		CreationDate           string   `xml:"CreationDate"`
		ExtranetEndpoint       string   `xml:"ExtranetEndpoint"`
		IntranetEndpoint       string   `xml:"IntranetEndpoint"`
		StorageClass           string   `xml:"StorageClass"`
		DataRedundancyType     string   `xml:"DataRedundancyType"`
		AccessMonitor          string   `xml:"AccessMonitor"`
		Versioning             string   `xml:"Versioning,omitempty"`
		TransferAcceleration   string   `xml:"TransferAcceleration"`
		CrossRegionReplication string   `xml:"CrossRegionReplication"`
		Owner                  xmlOwner `xml:"Owner"`
		AccessControlList      struct {
			Grant string `xml:"Grant"`
		} `xml:"AccessControlList"`
		ServerSideEncryptionRule struct {
			SSEAlgorithm string `xml:"SSEAlgorithm"`
		} `xml:"ServerSideEncryptionRule"`
	} `xml:"Bucket"`
}

type xmlContents struct {
	Key          string    `xml:"Key"`
	LastModified string    `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
	Type         string    `xml:"Type"`
	Size         int64     `xml:"Size"`
	StorageClass string    `xml:"StorageClass"`
	Owner        *xmlOwner `xml:"Owner,omitempty"`
}

type xmlPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listObjectsResult struct {
	XMLName        xml.Name      `xml:"ListBucketResult"`
	Name           string        `xml:"Name"`
	Prefix         string        `xml:"Prefix"`
	Marker         string        `xml:"Marker"`
	MaxKeys        int           `xml:"MaxKeys"`
	Delimiter      string        `xml:"Delimiter"`
	EncodingType   string        `xml:"EncodingType,omitempty"`
	IsTruncated    bool          `xml:"IsTruncated"`
	NextMarker     string        `xml:"NextMarker,omitempty"`
	Contents       []xmlContents `xml:"Contents"`
	CommonPrefixes []xmlPrefix   `xml:"CommonPrefixes"`
}

type listObjectsV2Result struct {
	XMLName               xml.Name      `xml:"ListBucketResult"`
	Name                  string        `xml:"Name"`
	Prefix                string        `xml:"Prefix"`
	StartAfter            string        `xml:"StartAfter,omitempty"`
	ContinuationToken     string        `xml:"ContinuationToken,omitempty"`
	MaxKeys               int           `xml:"MaxKeys"`
	Delimiter             string        `xml:"Delimiter"`
	EncodingType          string        `xml:"EncodingType,omitempty"`
	IsTruncated           bool          `xml:"IsTruncated"`
	KeyCount              int           `xml:"KeyCount"`
	NextContinuationToken string        `xml:"NextContinuationToken,omitempty"`
	Contents              []xmlContents `xml:"Contents"`
	CommonPrefixes        []xmlPrefix   `xml:"CommonPrefixes"`
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName      xml.Name `xml:"DeleteResult"`
	EncodingType string   `xml:"EncodingType,omitempty"`
	Deleted      []struct {
		Key string `xml:"Key"`
	} `xml:"Deleted"`
}

type initiateResult struct {
	XMLName      xml.Name `xml:"InitiateMultipartUploadResult"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	UploadID     string   `xml:"UploadId"`
	EncodingType string   `xml:"EncodingType,omitempty"`
}

type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeResult struct {
	XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
	EncodingType string   `xml:"EncodingType,omitempty"`
	Location     string   `xml:"Location"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	ETag         string   `xml:"ETag"`
}

type xmlPart struct {
	PartNumber    int    `xml:"PartNumber"`
	LastModified  string `xml:"LastModified"`
	ETag          string `xml:"ETag"`
	HashCrc64ecma string `xml:"HashCrc64ecma"`
	Size          int64  `xml:"Size"`
}

type listPartsResult struct {
	XMLName                  xml.Name  `xml:"ListPartsResult"`
	EncodingType             string    `xml:"EncodingType,omitempty"`
	Bucket                   string    `xml:"Bucket"`
	Key                      string    `xml:"Key"`
	UploadID                 string    `xml:"UploadId"`
	StorageClass             string    `xml:"StorageClass"`
	PartNumberMarker         int       `xml:"PartNumberMarker"`
	NextPartNumberMarker     int       `xml:"NextPartNumberMarker"`
	MaxParts                 int       `xml:"MaxParts"`
	IsTruncated              bool      `xml:"IsTruncated"`
	ClientEncryptionKey      string    `xml:"ClientEncryptionKey,omitempty"`
	ClientEncryptionStart    string    `xml:"ClientEncryptionStart,omitempty"`
	ClientEncryptionCekAlg   string    `xml:"ClientEncryptionCekAlg,omitempty"`
	ClientEncryptionWrapAlg  string    `xml:"ClientEncryptionWrapAlg,omitempty"`
	ClientEncryptionDataSize *int64    `xml:"ClientEncryptionDataSize,omitempty"`
	ClientEncryptionPartSize *int64    `xml:"ClientEncryptionPartSize,omitempty"`
	Parts                    []xmlPart `xml:"Part"`
}

type xmlUpload struct {
	Key       string `xml:"Key"`
	UploadID  string `xml:"UploadId"`
	Initiated string `xml:"Initiated"`
}

type listUploadsResult struct {
	XMLName            xml.Name    `xml:"ListMultipartUploadsResult"`
	EncodingType       string      `xml:"EncodingType,omitempty"`
	Bucket             string      `xml:"Bucket"`
	KeyMarker          string      `xml:"KeyMarker"`
	UploadIDMarker     string      `xml:"UploadIdMarker"`
	NextKeyMarker      string      `xml:"NextKeyMarker"`
	NextUploadIDMarker string      `xml:"NextUploadIdMarker"`
	Delimiter          string      `xml:"Delimiter"`
	Prefix             string      `xml:"Prefix"`
	MaxUploads         int         `xml:"MaxUploads"`
	IsTruncated        bool        `xml:"IsTruncated"`
	Uploads            []xmlUpload `xml:"Upload"`
	CommonPrefixes     []xmlPrefix `xml:"CommonPrefixes"`
}

// isoTime is the time format of XML bodies.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func quoteETag(etag string) string { return `"` + etag + `"` }

// urlEncode is OSS's encoding-type=url: percent-encoding that the SDKs undo
// with url.QueryUnescape.
func urlEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// encoder applies encoding-type=url when the request asked for it.
type encoder bool

func (e encoder) enc(s string) string {
	if e {
		return urlEncode(s)
	}
	return s
}

func (e encoder) typ() string {
	if e {
		return "url"
	}
	return ""
}

// marshalXML encodes v as OSS writes its documents: the XML declaration, no
// namespace, and quotes left as they are in text (encoding/xml writes
// &#34; and &#39;, which OSS does not, e.g. in every quoted <ETag>). The
// documents have no attributes, so text is the only place quotes occur, and
// an escaped "&" ("&amp;") can never be taken for the start of "&#34;".
func marshalXML(v any) ([]byte, error) {
	raw, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	raw = bytes.ReplaceAll(raw, []byte("&#34;"), []byte(`"`))
	raw = bytes.ReplaceAll(raw, []byte("&#39;"), []byte("'"))
	return append([]byte(xml.Header), raw...), nil
}

// writeXML sends v as an XML document.
func (c *call) writeXML(status int, v any) {
	raw, err := marshalXML(v)
	if err != nil {
		c.fail(storeError(err, c.rt.bucket, c.rt.key))
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	c.w.WriteHeader(status)
	if c.r.Method != http.MethodHead {
		c.w.Write(raw)
	}
}
