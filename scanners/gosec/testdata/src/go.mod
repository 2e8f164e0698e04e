module example.com/vulnapp

go 1.22
