package ui

import "fyne.io/fyne/v2/lang"

// region is an OSS region people pick by place, not by code.
type region struct {
	ID    string
	Place string // English name; shown through lang.L
}

// ossRegions are OSS's public regions; each one's endpoint is
// https://oss-<ID>.aliyuncs.com.
var ossRegions = []region{
	{"cn-hangzhou", "China (Hangzhou)"},
	{"cn-shanghai", "China (Shanghai)"},
	{"cn-qingdao", "China (Qingdao)"},
	{"cn-beijing", "China (Beijing)"},
	{"cn-zhangjiakou", "China (Zhangjiakou)"},
	{"cn-huhehaote", "China (Hohhot)"},
	{"cn-wulanchabu", "China (Ulanqab)"},
	{"cn-shenzhen", "China (Shenzhen)"},
	{"cn-heyuan", "China (Heyuan)"},
	{"cn-guangzhou", "China (Guangzhou)"},
	{"cn-chengdu", "China (Chengdu)"},
	{"cn-hongkong", "China (Hong Kong)"},
	{"ap-southeast-1", "Singapore"},
	{"ap-southeast-3", "Malaysia (Kuala Lumpur)"},
	{"ap-southeast-5", "Indonesia (Jakarta)"},
	{"ap-southeast-6", "Philippines (Manila)"},
	{"ap-southeast-7", "Thailand (Bangkok)"},
	{"ap-northeast-1", "Japan (Tokyo)"},
	{"ap-northeast-2", "South Korea (Seoul)"},
	{"us-west-1", "US (Silicon Valley)"},
	{"us-east-1", "US (Virginia)"},
	{"eu-central-1", "Germany (Frankfurt)"},
	{"eu-west-1", "UK (London)"},
	{"me-east-1", "UAE (Dubai)"},
}

func (r region) endpoint() string { return "https://oss-" + r.ID + ".aliyuncs.com" }

// label is the text in the region picker.
func (r region) label() string { return lang.L(r.Place) + " · " + r.ID }

// regionLabels are the region picker's choices, in ossRegions' order.
func regionLabels() []string {
	out := make([]string, len(ossRegions))
	for i, r := range ossRegions {
		out[i] = r.label()
	}
	return out
}

// placeNames lists every region's English name, so the translation check
// sees them even though they reach lang.L through a variable.
func placeNames() []string {
	out := make([]string, len(ossRegions))
	for i, r := range ossRegions {
		out[i] = r.Place
	}
	return out
}
