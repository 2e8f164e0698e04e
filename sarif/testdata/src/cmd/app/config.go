package main

// apiKey is used by the client.
const apiKey = "AKIAIOSFODNN7EXAMPLE"
