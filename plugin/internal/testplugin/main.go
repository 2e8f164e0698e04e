// Command testplugin serves the test scanner as a plugin. Its environment
// selects ways to misbehave before the scan starts:
//
//	TESTPLUGIN_MODE=junk     writes to stdout before the handshake
//	TESTPLUGIN_MODE=v2       offers protocol version 2
//	TESTPLUGIN_MODE=cookie   expects another program's magic cookie
//	TESTPLUGIN_MARKER=PATH   creates PATH when it starts (to prove it ran)
package main

import (
	"fmt"
	"os"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/plugin/internal/testscanner"
)

func main() {
	if m := os.Getenv("TESTPLUGIN_MARKER"); m != "" {
		_ = os.WriteFile(m, []byte("ran"), 0o644)
	}
	hs := plugin.Handshake
	switch os.Getenv("TESTPLUGIN_MODE") {
	case "junk":
		fmt.Println("hello from a plugin that prints to stdout")
	case "v2":
		hs.ProtocolVersion = 2
	case "cookie":
		hs.MagicCookieKey, hs.MagicCookieValue = "OTHER_APP_PLUGIN", "other"
	default:
		plugin.Serve(testscanner.Scanner{})
		return
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: hs,
		Plugins:         plugin.PluginSet(testscanner.Scanner{}),
		GRPCServer:      goplugin.DefaultGRPCServer,
	})
}
