#!/bin/sh
# Deliberately insecure sample for the runner tests.
target=$1
rm -rf $target/*
eval "echo $target"
