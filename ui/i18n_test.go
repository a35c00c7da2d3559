package ui

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
)

var updateEN = flag.Bool("update-en", false, "rewrite translations/en.json from the strings the code uses")

// usedKeys finds every lang.L/lang.X key in the package's code, plus the
// strings that reach lang.L through tables.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "lang" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true // a variable: its values are added below
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			keys[s] = true
			return true
		})
	}
	for _, p := range placeNames() {
		keys[p] = true
	}
	for _, d := range shareDurations {
		keys[d.label] = true
	}
	keys[languages[0].Name] = true
	return keys
}

func loadTranslation(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("translations", name))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestTranslationsComplete(t *testing.T) {
	keys := usedKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found only %d strings: the scan is broken", len(keys))
	}
	if *updateEN {
		m := map[string]string{}
		for k := range keys {
			m[k] = k
		}
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(filepath.Join("translations", "en.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	files, err := filepath.Glob(filepath.Join("translations", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("only %v: English, Simplified and Traditional Chinese and Japanese are expected", files)
	}
	for _, file := range files {
		file = filepath.Base(file)
		tr := loadTranslation(t, file)
		for _, k := range sorted {
			v, ok := tr[k]
			if !ok || strings.TrimSpace(v) == "" {
				t.Errorf("%s has no translation for %q", file, k)
				continue
			}
			// A template's fields must survive translation, and no
			// other may appear.
			for _, f := range templateFields(k) {
				if !strings.Contains(v, f) {
					t.Errorf("%s: %q lost %s", file, k, f)
				}
			}
			for _, f := range templateFields(v) {
				if !strings.Contains(k, f) {
					t.Errorf("%s: %q has %s, which the English lacks", file, k, f)
				}
			}
		}
		for k := range tr {
			if !keys[k] {
				t.Errorf("%s has %q, which the app no longer uses", file, k)
			}
		}
	}
}

func templateFields(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return out
		}
		out = append(out, s[i:i+j+2])
		s = s[i+j+2:]
	}
}

// Each system language reaches its translation: Traditional Chinese for
// Taiwan, Hong Kong and Macau, Simplified for the mainland and Singapore,
// Japanese for Japan; and every choice in the settings has its file.
func TestLanguageChosenByLocale(t *testing.T) {
	t.Cleanup(func() {
		if err := setLanguage(""); err != nil {
			t.Error(err)
		}
	})
	const probe = "Encrypt for:"
	want := map[string]string{}
	for _, f := range []string{"en", "zh", "zh-TW", "ja"} {
		want[f] = loadTranslation(t, f+".json")[probe]
	}
	if want["zh"] == want["zh-TW"] || want["zh"] == want["ja"] {
		t.Fatalf("the probe %q reads the same in two languages: %v", probe, want)
	}
	for _, tc := range []struct{ locale, file string }{
		{"zh_TW", "zh-TW"}, {"zh_TW.UTF-8", "zh-TW"}, {"zh_HK", "zh-TW"}, {"zh_MO", "zh-TW"}, {"zh-Hant", "zh-TW"},
		{"zh_CN", "zh"}, {"zh_CN.UTF-8", "zh"}, {"zh_SG", "zh"}, {"zh", "zh"},
		{"ja_JP", "ja"}, {"ja_JP.UTF-8", "ja"}, {"ja", "ja"},
		{"en_US", "en"},
	} {
		if err := setLanguage(tc.locale); err != nil {
			t.Fatal(err)
		}
		if got := lang.L(probe); got != want[tc.file] {
			t.Errorf("with %s the app says %q, want %q from %s.json", tc.locale, got, want[tc.file], tc.file)
		}
	}
	for _, l := range languages[1:] {
		if _, err := translations.ReadFile("translations/" + l.Code + ".json"); err != nil {
			t.Errorf("the settings offer %s, which has no translation: %v", l.Name, err)
		}
	}
}
