// Package project finds the projects inside a directory tree: Go modules
// (and the go.work files that join them), npm, yarn and pnpm packages,
// Python projects, Maven and Gradle builds, Terraform root modules, Helm
// charts, Kubernetes manifests and Dockerfiles. Scanners that work on one
// project at a time (gosec, govulncheck and staticcheck on a Go module;
// eslint on a package) use it to cover every project of a repository,
// not only the one at its top, and to say what they covered.
//
// [Discover] walks the tree once. It skips what a build skips: .git and
// other dot-directories, vendor and node_modules, and whatever the
// .gitignore files (of the tree and of the repository above it) ignore.
// For Go it follows the go command: a go.mod under a testdata directory
// or a directory whose name starts with "_" is not a module of the tree,
// and Go files there are not packages.
//
// Every path in an [Inventory] is relative to the root it was made for,
// with "/" separators; "." is the root itself. A Go module that holds the
// root from above has a Dir of "." and a Manifest that starts with "../".
package project

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Kind is a kind of project.
type Kind string

// The kinds of project Discover finds, and the file that marks each.
const (
	Go         Kind = "go"         // go.mod; or Go files outside any module
	NPM        Kind = "npm"        // package.json (npm, yarn or pnpm: Manager says)
	Python     Kind = "python"     // pyproject.toml, setup.cfg, setup.py, requirements*.txt, Pipfile
	Maven      Kind = "maven"      // pom.xml
	Gradle     Kind = "gradle"     // build.gradle(.kts), settings.gradle(.kts)
	Terraform  Kind = "terraform"  // a root module: .tf files that no other module uses as a local source
	Helm       Kind = "helm"       // Chart.yaml
	Kubernetes Kind = "kubernetes" // YAML manifests with apiVersion and kind, grouped by directory
	Docker     Kind = "docker"     // Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*
)

// Project is one project found in the tree.
type Project struct {
	// Kind is what kind of project it is.
	Kind Kind
	// Dir is the project's directory.
	Dir string
	// Manifest is the file that marks the project (go.mod, package.json,
	// pyproject.toml...). It is "" for Go files outside any module, and
	// starts with "../" for a Go module that holds the root from above.
	Manifest string
	// Manager is the package manager, where the kind has several: npm,
	// yarn or pnpm for NPM (from the lock file); for Python, the first
	// marker found (pyproject, setup, requirements, pipenv).
	Manager string
	// Module is a Go module's path, from its go.mod.
	Module string
	// Packages are a Go project's package directories: directories with
	// .go files that belong to this module and to no module nested in it.
	Packages []string
	// GoWork is the go.work that governs a Go module (the first one found
	// in its directory or above), "" when none does. It may lie above the
	// root ("../go.work").
	GoWork string
	// InWorkspace reports that GoWork lists this module. A module that a
	// go.work governs without listing it must be built with GOWORK=off.
	InWorkspace bool
	// Files are the files of the project that scanners take one by one:
	// the manifests of a Kubernetes project, the Dockerfile of a Docker
	// project, the .tf files of a Terraform root module.
	Files []string
}

// Orphan reports whether p is Go code outside any module: the go command
// cannot build it, so module-aware tools fail on it.
func (p *Project) Orphan() bool { return p.Kind == Go && p.Manifest == "" }

// Inventory is what Discover found.
type Inventory struct {
	// Root is the absolute path of the tree.
	Root string
	// Projects are sorted by kind (in the order of the Kind constants),
	// then directory.
	Projects []Project
	// Files are the files kept (not ignored), sorted.
	Files []string
	// Problems are things found wrong with the projects, such as a go.work
	// that lists a directory without a go.mod. Tools run on such projects
	// fail with their own message; these say why beforehand.
	Problems []string
}

// Options tune Discover. The zero value (or nil) is valid.
type Options struct {
	// NoGitignore keeps files that .gitignore files ignore.
	NoGitignore bool
	// Skip lists more directory names to skip anywhere in the tree.
	Skip []string
}

// skipDirs are directory names never walked into.
var skipDirs = []string{"node_modules", "vendor"}

// Discover walks the tree at root (a directory) and returns its projects.
func Discover(root string, opts *Options) (*Inventory, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &fs.PathError{Op: "discover", Path: root, Err: fs.ErrInvalid}
	}
	ig := &ignorer{}
	if !o.NoGitignore {
		ig.loadAbove(abs)
	}
	w := &walker{root: abs, ig: ig, opts: &o, dirs: map[string]*dirInfo{}}
	if err := w.walk(); err != nil {
		return nil, err
	}
	inv := &Inventory{Root: abs, Files: w.files}
	w.goProjects(inv)
	w.otherProjects(inv)
	order := func(k Kind) int {
		return slices.Index([]Kind{Go, NPM, Python, Maven, Gradle, Terraform, Helm, Kubernetes, Docker}, k)
	}
	slices.SortStableFunc(inv.Projects, func(a, b Project) int {
		if d := order(a.Kind) - order(b.Kind); d != 0 {
			return d
		}
		return strings.Compare(a.Dir, b.Dir)
	})
	return inv, nil
}

// dirInfo is what the walk saw in one directory.
type dirInfo struct {
	files   []string // base names of the files kept
	goFiles bool     // holds .go files
	goSkip  bool     // under testdata or a "_" directory: not Go packages
}

type walker struct {
	root  string
	ig    *ignorer
	opts  *Options
	files []string
	dirs  map[string]*dirInfo
	order []string // directories in walk order
}

func (w *walker) walk() error {
	depth := []int{} // ignorer length at each directory depth
	return filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == w.root {
				return err
			}
			return nil // unreadable: skipped
		}
		rel, _ := filepath.Rel(w.root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." {
				name := d.Name()
				if strings.HasPrefix(name, ".") || slices.Contains(skipDirs, name) || slices.Contains(w.opts.Skip, name) || w.ig.ignored(rel, true) {
					return filepath.SkipDir
				}
			}
			// Pop the .gitignore files of directories left behind.
			n := strings.Count(rel, "/") + 1
			if rel == "." {
				n = 0
			}
			if len(depth) > n {
				w.ig.files = w.ig.files[:depth[n]]
				depth = depth[:n]
			}
			depth = append(depth, len(w.ig.files))
			if !w.opts.NoGitignore {
				w.ig.load(w.root, rel)
			}
			info := &dirInfo{}
			if parent, ok := w.dirs[path.Dir(rel)]; ok && rel != "." {
				info.goSkip = parent.goSkip
			}
			if name := path.Base(rel); rel != "." && (name == "testdata" || strings.HasPrefix(name, "_")) {
				info.goSkip = true
			}
			w.dirs[rel] = info
			w.order = append(w.order, rel)
			return nil
		}
		if !d.Type().IsRegular() || w.ig.ignored(rel, false) {
			return nil
		}
		w.files = append(w.files, rel)
		info := w.dirs[path.Dir(rel)]
		info.files = append(info.files, d.Name())
		if strings.HasSuffix(d.Name(), ".go") && !strings.HasPrefix(d.Name(), ".") && !strings.HasPrefix(d.Name(), "_") {
			info.goFiles = true
		}
		return nil
	})
}

func (w *walker) has(dir, name string) bool {
	info := w.dirs[dir]
	return info != nil && slices.Contains(info.files, name)
}

// goProjects finds the Go modules, the go.work files that govern them,
// and the Go packages outside any module.
func (w *walker) goProjects(inv *Inventory) {
	var mods []*Project
	byDir := map[string]*Project{}
	for _, dir := range w.order {
		info := w.dirs[dir]
		if info.goSkip || !slices.Contains(info.files, "go.mod") {
			continue
		}
		p := &Project{Kind: Go, Dir: dir, Manifest: join(dir, "go.mod"), Module: modulePath(filepath.Join(w.root, filepath.FromSlash(dir), "go.mod"))}
		mods = append(mods, p)
		byDir[dir] = p
	}
	// A module above the root holds the root's packages unless the root
	// has its own go.mod.
	var above *Project
	if byDir["."] == nil {
		if mod, rel := findAbove(w.root, "go.mod"); mod != "" && !goSkipped(filepath.Dir(mod), w.root) {
			above = &Project{Kind: Go, Dir: ".", Manifest: rel + "/go.mod", Module: modulePath(mod)}
		}
	}
	// Each package belongs to the nearest module at or above it.
	var orphans []string
	for _, dir := range w.order {
		info := w.dirs[dir]
		if !info.goFiles || info.goSkip {
			continue
		}
		switch m := nearest(dir, byDir); {
		case m != nil:
			m.Packages = append(m.Packages, dir)
		case above != nil:
			above.Packages = append(above.Packages, dir)
		default:
			orphans = append(orphans, dir)
		}
	}
	if above != nil && len(above.Packages) > 0 {
		mods = append([]*Project{above}, mods...)
	}
	// go.work files, in the tree and the first one above it.
	works := map[string][]string{} // go.work path (rel) -> module dirs it uses (rel)
	for _, dir := range w.order {
		if w.dirs[dir].goSkip || !w.has(dir, "go.work") {
			continue
		}
		gw := join(dir, "go.work")
		works[gw] = w.workUses(inv, dir, gw)
	}
	aboveWork := ""
	if wf, rel := findAbove(w.root, "go.work"); wf != "" {
		aboveWork = rel + "/go.work"
		works[aboveWork] = w.workUses(inv, rel, aboveWork)
	}
	for _, m := range mods {
		m.GoWork = aboveWork
		for d := m.Dir; ; d = path.Dir(d) {
			if _, ok := works[join(d, "go.work")]; ok && m.Manifest != "" && !strings.HasPrefix(m.Manifest, "../") {
				m.GoWork = join(d, "go.work")
				break
			}
			if d == "." {
				break
			}
		}
		if strings.HasPrefix(m.Manifest, "../") && m.GoWork == aboveWork && aboveWork != "" {
			// The module above the root: its go.work lies above it too
			// (or is the one found), listed by directory.
			m.InWorkspace = slices.Contains(works[aboveWork], path.Dir(m.Manifest))
			continue
		}
		if m.GoWork != "" {
			m.InWorkspace = slices.Contains(works[m.GoWork], m.Dir)
		}
	}
	for _, g := range groupDirs(orphans) {
		inv.Projects = append(inv.Projects, Project{Kind: Go, Dir: g.dir, Packages: g.members, GoWork: aboveWork})
	}
	for _, m := range mods {
		inv.Projects = append(inv.Projects, *m)
	}
}

// workUses returns the module directories (relative to the root, cleaned)
// that the go.work at gw (relative to the root) uses, and records a
// problem for each that has no go.mod.
func (w *walker) workUses(inv *Inventory, dir, gw string) []string {
	data, err := os.ReadFile(filepath.Join(w.root, filepath.FromSlash(gw)))
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range parseWorkUses(data) {
		d := path.Clean(path.Join(dir, filepath.ToSlash(u)))
		out = append(out, d)
		if _, err := os.Stat(filepath.Join(w.root, filepath.FromSlash(d), "go.mod")); err != nil {
			inv.Problems = append(inv.Problems, gw+" uses "+u+", which has no go.mod: the go command fails in every module of that workspace")
		}
	}
	return out
}

// parseWorkUses returns the directories of a go.work file's use
// directives ("use ./a" and "use ( ./a ./b )"), unquoted.
func parseWorkUses(data []byte) []string {
	var out []string
	block := false
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch {
		case block && f[0] == ")":
			block = false
		case block:
			out = append(out, unquote(f[0]))
		case f[0] == "use" && len(f) >= 2 && f[1] == "(":
			block = true
		case f[0] == "use" && len(f) >= 2:
			out = append(out, unquote(f[1]))
		}
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '`') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

var moduleLine = regexp.MustCompile(`(?m)^\s*module\s+("[^"]+"|\S+)`)

// modulePath reads the module path of a go.mod file, or "".
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	if m := moduleLine.FindSubmatch(data); m != nil {
		return unquote(string(m[1]))
	}
	return ""
}

// findAbove looks for name in root's ancestors and returns its absolute
// path and the ancestor's path relative to root ("..", "../.."), or "".
func findAbove(root, name string) (abs, rel string) {
	rel = ".."
	for dir := filepath.Dir(root); ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, rel
		}
		if filepath.Dir(dir) == dir {
			return "", ""
		}
		rel += "/.."
	}
}

// goSkipped reports whether root lies under a testdata, "_" or "."
// directory below modDir, which the go command leaves out of modDir's
// module.
func goSkipped(modDir, root string) bool {
	rel, err := filepath.Rel(modDir, root)
	if err != nil {
		return true
	}
	for _, name := range strings.Split(filepath.ToSlash(rel), "/") {
		if name == "testdata" || strings.HasPrefix(name, "_") || (strings.HasPrefix(name, ".") && name != ".") {
			return true
		}
	}
	return false
}

// nearest returns the module whose directory is dir or its closest
// ancestor, or nil.
func nearest(dir string, byDir map[string]*Project) *Project {
	for d := dir; ; d = path.Dir(d) {
		if m := byDir[d]; m != nil {
			return m
		}
		if d == "." {
			return nil
		}
	}
}

// dirGroup is a set of directories under a common top directory.
type dirGroup struct {
	dir     string
	members []string
}

// groupDirs groups directories under the topmost ones among them.
func groupDirs(dirs []string) []dirGroup {
	var out []dirGroup
	for _, d := range dirs {
		found := false
		for i := range out {
			if within(d, out[i].dir) {
				out[i].members = append(out[i].members, d)
				found = true
				break
			}
		}
		if !found {
			out = append(out, dirGroup{dir: d, members: []string{d}})
		}
	}
	return out
}

// within reports whether p is dir or under it.
func within(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// join joins a directory and a name; "." stays out.
func join(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

var pythonMarkers = []struct{ name, manager string }{
	{"pyproject.toml", "pyproject"}, {"setup.py", "setup"}, {"setup.cfg", "setup"}, {"Pipfile", "pipenv"},
}

// otherProjects finds the projects of every kind but Go.
func (w *walker) otherProjects(inv *Inventory) {
	tfDirs := map[string][]string{}
	var tfOrder []string
	used := map[string]bool{}
	k8s := map[string][]string{}
	var k8sOrder []string
	var charts []string
	for _, dir := range w.order {
		info := w.dirs[dir]
		names := info.files
		if slices.Contains(names, "package.json") {
			inv.Projects = append(inv.Projects, Project{Kind: NPM, Dir: dir, Manifest: join(dir, "package.json"), Manager: w.jsManager(dir)})
		}
		py := ""
		for _, m := range pythonMarkers {
			if slices.Contains(names, m.name) {
				py = m.name
				inv.Projects = append(inv.Projects, Project{Kind: Python, Dir: dir, Manifest: join(dir, m.name), Manager: m.manager})
				break
			}
		}
		if py == "" {
			for _, n := range names {
				if strings.HasPrefix(n, "requirements") && strings.HasSuffix(n, ".txt") {
					inv.Projects = append(inv.Projects, Project{Kind: Python, Dir: dir, Manifest: join(dir, n), Manager: "requirements"})
					break
				}
			}
		}
		if slices.Contains(names, "pom.xml") {
			inv.Projects = append(inv.Projects, Project{Kind: Maven, Dir: dir, Manifest: join(dir, "pom.xml")})
		}
		for _, g := range []string{"settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts"} {
			if slices.Contains(names, g) {
				inv.Projects = append(inv.Projects, Project{Kind: Gradle, Dir: dir, Manifest: join(dir, g)})
				break
			}
		}
		if slices.Contains(names, "Chart.yaml") {
			inv.Projects = append(inv.Projects, Project{Kind: Helm, Dir: dir, Manifest: join(dir, "Chart.yaml")})
			charts = append(charts, dir)
		}
		for _, n := range names {
			rel := join(dir, n)
			switch {
			case strings.HasSuffix(n, ".tf"):
				if len(tfDirs[dir]) == 0 {
					tfOrder = append(tfOrder, dir)
				}
				tfDirs[dir] = append(tfDirs[dir], rel)
				for _, src := range localModuleSources(filepath.Join(w.root, filepath.FromSlash(rel))) {
					used[path.Clean(path.Join(dir, src))] = true
				}
			case IsDockerfile(n):
				inv.Projects = append(inv.Projects, Project{Kind: Docker, Dir: dir, Manifest: rel, Files: []string{rel}})
			case (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) && !inChart(dir, charts) && isKubernetes(filepath.Join(w.root, filepath.FromSlash(rel))):
				if len(k8s[dir]) == 0 {
					k8sOrder = append(k8sOrder, dir)
				}
				k8s[dir] = append(k8s[dir], rel)
			}
		}
	}
	for _, dir := range tfOrder {
		if !used[dir] {
			inv.Projects = append(inv.Projects, Project{Kind: Terraform, Dir: dir, Manifest: tfDirs[dir][0], Files: tfDirs[dir]})
		}
	}
	for _, dir := range k8sOrder {
		inv.Projects = append(inv.Projects, Project{Kind: Kubernetes, Dir: dir, Manifest: k8s[dir][0], Files: k8s[dir]})
	}
}

// jsManager names the package manager of the package in dir from the lock
// files in it or above it (a workspace's lock file is at its top).
func (w *walker) jsManager(dir string) string {
	for d := dir; ; d = path.Dir(d) {
		switch {
		case w.has(d, "pnpm-lock.yaml"), w.has(d, "pnpm-workspace.yaml"):
			return "pnpm"
		case w.has(d, "yarn.lock"):
			return "yarn"
		case w.has(d, "package-lock.json"), w.has(d, "npm-shrinkwrap.json"):
			return "npm"
		}
		if d == "." {
			return "npm"
		}
	}
}

// IsDockerfile reports whether a file name is a Dockerfile's.
func IsDockerfile(name string) bool {
	l := strings.ToLower(name)
	return l == "dockerfile" || l == "containerfile" || strings.HasSuffix(l, ".dockerfile") || strings.HasPrefix(l, "dockerfile.")
}

func inChart(dir string, charts []string) bool {
	for _, c := range charts {
		if within(dir, c) {
			return true
		}
	}
	return false
}

var (
	apiVersionLine = regexp.MustCompile(`(?m)^apiVersion:\s*\S`)
	kindLine       = regexp.MustCompile(`(?m)^kind:\s*\S`)
	moduleSource   = regexp.MustCompile(`(?m)^\s*source\s*=\s*"(\.\.?/[^"]*)"`)
)

// isKubernetes reports whether a YAML file holds a Kubernetes object:
// top-level apiVersion and kind keys in its first 64 KiB.
func isKubernetes(file string) bool {
	head := readHead(file, 64<<10)
	return apiVersionLine.Match(head) && kindLine.Match(head)
}

// localModuleSources returns the local paths ("./x", "../y") that a .tf
// file uses as module sources.
func localModuleSources(file string) []string {
	var out []string
	for _, m := range moduleSource.FindAllSubmatch(readHead(file, 1<<20), -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func readHead(file string, n int) []byte {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, n)
	k, _ := f.Read(buf)
	return bytes.Clone(buf[:k])
}

// Of returns the projects of kind k.
func (inv *Inventory) Of(k Kind) []Project {
	var out []Project
	for _, p := range inv.Projects {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// FilesWith returns the files whose name (base) has one of the extensions
// (".py"; compared without case), in order.
func (inv *Inventory) FilesWith(exts ...string) []string {
	var out []string
	for _, f := range inv.Files {
		if slices.Contains(exts, strings.ToLower(path.Ext(f))) {
			out = append(out, f)
		}
	}
	return out
}

// Owner returns the project of kind k whose directory holds file (the
// deepest), or nil.
func (inv *Inventory) Owner(k Kind, file string) *Project {
	var best *Project
	depth := func(dir string) int {
		if dir == "." {
			return 0
		}
		return strings.Count(dir, "/") + 1
	}
	for i := range inv.Projects {
		p := &inv.Projects[i]
		if p.Kind == k && within(file, p.Dir) && (best == nil || depth(p.Dir) > depth(best.Dir)) {
			best = p
		}
	}
	return best
}

// Language is a kind of source file, by name pattern.
type Language struct {
	// Name is the language's name, e.g. "Java".
	Name string
	// Pattern is how its files are named, e.g. "*.java".
	Pattern string
	// Files counts the inventory's files of the language.
	Files int
}

// languages maps file extensions (and Dockerfile names) to languages.
var languages = []struct {
	name, pattern string
	match         func(name string) bool
}{
	{"Go", "*.go", ext(".go")},
	{"Python", "*.py", ext(".py")},
	{"JavaScript", "*.js", ext(".js", ".mjs", ".cjs", ".jsx")},
	{"TypeScript", "*.ts", ext(".ts", ".tsx", ".mts", ".cts")},
	{"Java", "*.java", ext(".java")},
	{"Kotlin", "*.kt", ext(".kt", ".kts")},
	{"Scala", "*.scala", ext(".scala")},
	{"C/C++", "*.c, *.cpp, *.h", ext(".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh")},
	{"C#", "*.cs", ext(".cs")},
	{"Ruby", "*.rb", ext(".rb")},
	{"PHP", "*.php", ext(".php")},
	{"Rust", "*.rs", ext(".rs")},
	{"Swift", "*.swift", ext(".swift")},
	{"Shell", "*.sh", ext(".sh", ".bash")},
	{"Terraform", "*.tf", ext(".tf")},
	{"Dockerfile", "Dockerfile", IsDockerfile},
}

func ext(exts ...string) func(string) bool {
	return func(name string) bool { return slices.Contains(exts, strings.ToLower(path.Ext(name))) }
}

// Languages counts the inventory's source files by language, in a fixed
// order; languages without files are left out. YAML is not counted: its
// Kubernetes manifests are the Kubernetes projects.
func (inv *Inventory) Languages() []Language {
	counts := make([]int, len(languages))
	for _, f := range inv.Files {
		name := path.Base(f)
		for i, l := range languages {
			if l.match(name) {
				counts[i]++
				break
			}
		}
	}
	var out []Language
	for i, l := range languages {
		if counts[i] > 0 {
			out = append(out, Language{Name: l.name, Pattern: l.pattern, Files: counts[i]})
		}
	}
	return out
}
