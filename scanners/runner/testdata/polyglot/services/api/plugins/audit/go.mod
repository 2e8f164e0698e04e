module example.com/audit

go 1.22

require golang.org/x/net v0.7.0
