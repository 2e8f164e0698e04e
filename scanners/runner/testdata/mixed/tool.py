# Deliberately insecure sample for the runner tests.
import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)
