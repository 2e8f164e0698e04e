package files

import "os"

func first(f *os.File) {
	f.Close()
}

// added holds a new finding whose text equals older ones.
func added(f *os.File) {
	f.Close()
}

func second(f, g *os.File) {
	f.Sync()
	f.Close()
	f.Close()
	g.Close()
	f.Close()
}

func third(f *os.File) {
	f.Close()
}
