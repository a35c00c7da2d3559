package layering

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/ossvault/ossvault"

// adapter is the one package allowed to import an OSS SDK.
const adapter = "transfer/osssdk"

// sdkPrefixes are the import paths of the OSS SDKs, v1 and v2.
var sdkPrefixes = []string{
	"github.com/aliyun/aliyun-oss-go-sdk",
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2",
}

func isSDK(path string) bool {
	for _, p := range sdkPrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// root is the module's folder.
func root(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		t.Fatal("not inside the module")
	}
	return filepath.Dir(mod)
}

// Every non-test Go file outside the adapter, whatever its build tags,
// imports no OSS SDK. The files are parsed rather than listed with go
// list, which sees only the files of this system's build.
func TestOnlyTheAdapterImportsTheSDK(t *testing.T) {
	dir := root(t)
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch name := d.Name(); {
			case path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		if filepath.ToSlash(filepath.Dir(rel)) == adapter {
			return nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if isSDK(p) {
				t.Errorf("%s imports %s: only %s may speak to the SDK", filepath.ToSlash(rel), p, adapter)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d Go files found under %s", files, dir)
	}
}

// deps lists the packages pattern depends on (itself included) for goos,
// each with its direct imports, as `go list -deps` does: test files and
// their imports are not part of it.
func deps(t *testing.T, goos string, patterns ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-e", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}, patterns...)...)
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOOS="+goos)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s (GOOS=%s): %v\n%s", strings.Join(patterns, " "), goos, err, stderr.String())
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			m[fields[0]] = fields[1:]
		}
	}
	return m
}

// forbidden reports, for each package in graph that is forbidden, the
// packages of the graph importing it directly.
func forbidden(graph map[string][]string, bad func(string) bool) map[string][]string {
	out := map[string][]string{}
	for pkg, imports := range graph {
		for _, imp := range imports {
			if bad(imp) && !bad(pkg) {
				out[imp] = append(out[imp], pkg)
			}
		}
	}
	return out
}

var systems = []string{"linux", "darwin", "windows"}

// The app's package graph holds no OSS SDK package, on any system it is
// built for.
func TestAppDoesNotDependOnTheSDK(t *testing.T) {
	for _, goos := range systems {
		graph := deps(t, goos, "./ui/")
		if _, ok := graph[module+"/ui"]; !ok {
			t.Fatalf("GOOS=%s: go list did not list the ui package", goos)
		}
		for pkg, via := range forbidden(graph, isSDK) {
			t.Errorf("GOOS=%s: ui depends on %s, imported by %s", goos, pkg, strings.Join(via, ", "))
		}
	}
}

// The logic packages never depend on Fyne.
func TestLogicDoesNotDependOnFyne(t *testing.T) {
	isFyne := func(p string) bool { return p == "fyne.io/fyne/v2" || strings.HasPrefix(p, "fyne.io/") }
	for _, goos := range systems {
		graph := deps(t, goos, "./envelope/...", "./vault/...", "./transfer/...")
		for _, want := range []string{"envelope", "vault", "transfer", adapter} {
			if _, ok := graph[module+"/"+want]; !ok {
				t.Fatalf("GOOS=%s: go list did not list %s", goos, want)
			}
		}
		for pkg, via := range forbidden(graph, isFyne) {
			t.Errorf("GOOS=%s: the logic packages depend on %s, imported by %s", goos, pkg, strings.Join(via, ", "))
		}
	}
}
