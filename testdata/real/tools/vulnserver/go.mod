module example.com/vulnserver

go 1.24.0
