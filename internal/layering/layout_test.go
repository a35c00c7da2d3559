package layering

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The size limits a reader can hold in their head: a file is read whole,
// a function at one sitting.
const (
	maxFileLines = 600
	maxFuncLines = 80 // non-test files only
)

// layoutExceptions are the files and functions allowed over the limits:
// none today. Add nothing to it; an entry once within the limit fails the
// test until it is removed, so the list never outlives the problem. A file
// is named by its slash path from the module's top folder, a function by
// its file, a space and its name (Type.Method for a method).
var layoutExceptions = map[string]bool{}

// goFiles calls fn for every Go file of the module, test files included,
// whatever its build tags, with its slash path from the top folder.
func goFiles(t *testing.T, fn func(rel, path string)) {
	t.Helper()
	dir := root(t)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(dir, path)
			fn(filepath.ToSlash(rel), path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// funcName is a declaration's name as layoutExceptions spells it.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	for {
		switch e := typ.(type) {
		case *ast.StarExpr:
			typ = e.X
			continue
		case *ast.IndexExpr:
			typ = e.X
			continue
		case *ast.IndexListExpr:
			typ = e.X
			continue
		case *ast.Ident:
			return e.Name + "." + fd.Name.Name
		}
		return fd.Name.Name
	}
}

// oversized lists the module's files over maxFileLines and non-test
// functions over maxFuncLines, each with its line count.
func oversized(t *testing.T) (map[string]int, int) {
	t.Helper()
	over := map[string]int{}
	files := 0
	goFiles(t, func(rel, path string) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return
		}
		files++
		if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
			over[rel] = n
		}
		if strings.HasSuffix(rel, "_test.go") {
			return
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
			if n > maxFuncLines {
				over[rel+" "+funcName(fd)] = n
			}
		}
	})
	return over, files
}

// No Go file is over maxFileLines and no function outside tests over
// maxFuncLines, except those layoutExceptions still lists; and every entry
// there is still over, so that the list shrinks as they are fixed.
func TestLayoutLimits(t *testing.T) {
	over, files := oversized(t)
	if files < 50 {
		t.Fatalf("only %d Go files found", files)
	}
	var names []string
	for name := range over {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if layoutExceptions[name] {
			continue
		}
		if strings.Contains(name, " ") {
			t.Errorf("%s is %d lines: split it to at most %d", name, over[name], maxFuncLines)
		} else {
			t.Errorf("%s is %d lines: split it by concern to at most %d", name, over[name], maxFileLines)
		}
	}
	for name := range layoutExceptions {
		if _, ok := over[name]; !ok {
			t.Errorf("%s is within the limits now: remove it from layoutExceptions", name)
		}
	}
}

// The envelope package promises no HTTP (its callers hand it headers as a
// plain map): net/http is nowhere in its dependency graph, on any system.
func TestEnvelopeHasNoHTTP(t *testing.T) {
	bad := func(p string) bool { return p == "net/http" || strings.HasPrefix(p, "net/http/") }
	for _, goos := range systems {
		graph := deps(t, goos, "./envelope/")
		if _, ok := graph[module+"/envelope"]; !ok {
			t.Fatalf("GOOS=%s: go list did not list envelope", goos)
		}
		for pkg, via := range forbidden(graph, bad) {
			t.Errorf("GOOS=%s: envelope depends on %s, imported by %s", goos, pkg, strings.Join(via, ", "))
		}
	}
}
