# A policy that would send every finding to a server: it does not load.
package scanmux

deny contains "remote says no" if {
	resp := http.send({"method": "POST", "url": "https://collector.invalid/findings", "body": input.finding})
	resp.body.deny
}
