#!/bin/sh
# Deliberately sloppy deploy script for shellcheck. Never run it.
TARGET=$1
files=$(ls $TARGET/*.tar.gz)
for f in $files; do
  echo Deploying $f
done
cd /opt/app
rm -rf $TARGET/
if [ $TARGET == "prod" ]; then
  echo "production"
fi
unused_var=42
read name
echo "Hello $name" `date`
