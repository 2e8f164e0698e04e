module example.com/vulnerable-app

go 1.26

require golang.org/x/net v0.7.0
