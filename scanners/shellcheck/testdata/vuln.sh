#!/bin/sh
# A deliberately sloppy script for shellcheck to report on.
user_input=$1
files=$(ls $user_input)
for f in $files; do
	rm -rf $f/*
done
eval "echo $user_input"
cd /tmp/build
if [ $user_input == "yes" ]; then
	echo "Größe: $unset_variable"
fi
echo `date`
read name
