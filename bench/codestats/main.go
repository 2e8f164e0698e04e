// Command codestats prints the acceptance numbers of a package tree: for
// each package, its lines of Go (non-test and test), its exported
// identifiers (package-level, plus methods and fields of exported types),
// and the functions longer than a bound, longest first.
//
// usage: go run ./bench/codestats [-min 80] [-top 10] DIR...
//
// Each DIR is walked recursively; testdata and hidden directories are
// skipped.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type pkgStats struct {
	lines, testLines, exported int
}

type fn struct {
	name  string
	lines int
}

func main() {
	minLines := flag.Int("min", 80, "list functions of at least this many `lines`")
	top := flag.Int("top", 10, "list at most this many functions")
	flag.Parse()
	pkgs := map[string]*pkgStats{}
	var fns []fn
	fset := token.NewFileSet()
	for _, root := range flag.Args() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			dir := filepath.Dir(path)
			ps := pkgs[dir]
			if ps == nil {
				ps = &pkgStats{}
				pkgs[dir] = ps
			}
			n := strings.Count(string(src), "\n")
			if strings.HasSuffix(path, "_test.go") {
				ps.testLines += n
				return nil
			}
			ps.lines += n
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				return err
			}
			ps.exported += countExported(f)
			for _, decl := range f.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
					l := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
					name := fd.Name.Name
					if fd.Recv != nil && len(fd.Recv.List) > 0 {
						name = recvName(fd.Recv.List[0].Type) + "." + name
					}
					fns = append(fns, fn{fmt.Sprintf("%s:%d %s", path, fset.Position(fd.Pos()).Line, name), l})
				}
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "codestats:", err)
			os.Exit(1)
		}
	}
	dirs := make([]string, 0, len(pkgs))
	for d := range pkgs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	fmt.Printf("| package | lines | test lines | exported |\n|---|---:|---:|---:|\n")
	for _, d := range dirs {
		p := pkgs[d]
		fmt.Printf("| %s | %d | %d | %d |\n", d, p.lines, p.testLines, p.exported)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].lines > fns[j].lines })
	fmt.Printf("\n| function (>= %d lines) | lines |\n|---|---:|\n", *minLines)
	for i, f := range fns {
		if i >= *top || f.lines < *minLines {
			break
		}
		fmt.Printf("| %s | %d |\n", f.name, f.lines)
	}
}

// countExported counts the exported package-level identifiers of f and
// the exported methods and fields of its types.
func countExported(f *ast.File) int {
	n := 0
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil || ast.IsExported(strings.TrimPrefix(recvName(d.Recv.List[0].Type), "*")) {
				n++
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					n++
					if st, ok := s.Type.(*ast.StructType); ok {
						for _, fld := range st.Fields.List {
							for _, name := range fld.Names {
								if name.IsExported() {
									n++
								}
							}
						}
					}
				case *ast.ValueSpec:
					for _, name := range s.Names {
						if name.IsExported() {
							n++
						}
					}
				}
			}
		}
	}
	return n
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return "*" + recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}
