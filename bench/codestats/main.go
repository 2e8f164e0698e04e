// Command codestats prints, for the Go packages under the directories
// given (default "."), the numbers the maintainability review compares:
// lines of non-test Go source per package, exported identifiers per
// package (top-level types, functions, methods on exported types,
// constants and variables, and exported fields of exported structs), and
// the longest functions.
//
//	go run ./bench/codestats [-top N] [DIR...]
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

func main() {
	top := flag.Int("top", 15, "how many of the longest functions to print")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	type pkgStats struct{ files, lines, exported int }
	type fn struct {
		name  string
		lines int
	}
	pkgs := map[string]*pkgStats{}
	var fns []fn
	fset := token.NewFileSet()
	for _, root := range dirs {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if n := d.Name(); path != root && (n == "testdata" || strings.HasPrefix(n, ".") || n == "out") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			dir := filepath.ToSlash(filepath.Dir(path))
			st := pkgs[dir]
			if st == nil {
				st = &pkgStats{}
				pkgs[dir] = st
			}
			st.files++
			st.lines += fset.Position(f.End()).Line
			for _, decl := range f.Decls {
				switch decl := decl.(type) {
				case *ast.FuncDecl:
					name := decl.Name.Name
					recv := ""
					if decl.Recv != nil && len(decl.Recv.List) == 1 {
						recv = typeName(decl.Recv.List[0].Type)
						name = recv + "." + name
					}
					if decl.Name.IsExported() && (recv == "" || ast.IsExported(recv)) {
						st.exported++
					}
					if decl.Body != nil {
						n := fset.Position(decl.Body.End()).Line - fset.Position(decl.Pos()).Line + 1
						fns = append(fns, fn{dir + "." + name, n})
					}
				case *ast.GenDecl:
					for _, spec := range decl.Specs {
						switch spec := spec.(type) {
						case *ast.TypeSpec:
							if !spec.Name.IsExported() {
								continue
							}
							st.exported++
							if s, ok := spec.Type.(*ast.StructType); ok {
								for _, fld := range s.Fields.List {
									for _, n := range fld.Names {
										if n.IsExported() {
											st.exported++
										}
									}
								}
							}
						case *ast.ValueSpec:
							for _, n := range spec.Names {
								if n.IsExported() {
									st.exported++
								}
							}
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "codestats:", err)
			os.Exit(1)
		}
	}
	names := make([]string, 0, len(pkgs))
	for n := range pkgs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("%-40s %6s %7s %9s\n", "package", "files", "lines", "exported")
	for _, n := range names {
		st := pkgs[n]
		fmt.Printf("%-40s %6d %7d %9d\n", n, st.files, st.lines, st.exported)
	}
	sort.SliceStable(fns, func(i, j int) bool { return fns[i].lines > fns[j].lines })
	fmt.Printf("\nlongest functions\n")
	for _, f := range fns[:min(*top, len(fns))] {
		fmt.Printf("%5d  %s\n", f.lines, f.name)
	}
}

// typeName is the name of a receiver's type, without pointer or type
// parameters.
func typeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return typeName(t.X)
	case *ast.IndexExpr:
		return typeName(t.X)
	case *ast.IndexListExpr:
		return typeName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}
