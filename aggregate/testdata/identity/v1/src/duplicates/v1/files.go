package files

import "os"

func first(f *os.File) {
	f.Close()
}

func second(f, g *os.File) {
	f.Close()
	g.Close()
	f.Close()
}

func third(f *os.File) {
	f.Close()
}
