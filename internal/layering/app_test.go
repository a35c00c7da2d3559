package layering

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The service layer (app) is toolkit-free and SDK-free: the command line
// can call it, and the app's tests can drive it without a window.
func TestServiceDependsOnNeitherFyneNorTheSDK(t *testing.T) {
	isFyne := func(p string) bool { return p == "fyne.io/fyne/v2" || strings.HasPrefix(p, "fyne.io/") }
	for _, goos := range systems {
		graph := deps(t, goos, "./app/")
		if _, ok := graph[module+"/app"]; !ok {
			t.Fatalf("GOOS=%s: go list did not list the app package", goos)
		}
		for pkg, via := range forbidden(graph, isFyne) {
			t.Errorf("GOOS=%s: app depends on %s, imported by %s", goos, pkg, strings.Join(via, ", "))
		}
		for pkg, via := range forbidden(graph, isSDK) {
			t.Errorf("GOOS=%s: app depends on %s, imported by %s", goos, pkg, strings.Join(via, ", "))
		}
		if via, ok := graph[module+"/"+adapter]; ok {
			t.Errorf("GOOS=%s: app depends on %s (imports %v): the connector is handed in by main", goos, adapter, via)
		}
	}
}

// uiMayImport are the packages of this module the screens may import: the
// service layer and small helpers with no logic of their own.
var uiMayImport = map[string]bool{
	"app":                 true,
	"assets":              true,
	"internal/atomicfile": true,
	"internal/filelock":   true,
	"internal/localefix":  true,
	"internal/safetext":   true,
	"internal/version":    true,
}

// The screens reach vault, transfer, envelope and the local endpoint only
// through app. Every non-test file of ui is parsed, whatever its build
// tags.
func TestScreensImportOnlyTheService(t *testing.T) {
	dir := filepath.Join(root(t), "ui")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		seen++
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			rel, ok := strings.CutPrefix(p, module+"/")
			if ok && !uiMayImport[rel] {
				t.Errorf("ui/%s imports %s: screens reach the logic packages through %s/app", filepath.Base(path), p, module)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d non-test Go files found in %s", seen, dir)
	}
}
