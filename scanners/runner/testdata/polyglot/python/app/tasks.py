import subprocess


def archive(name):
    return subprocess.call("tar czf /tmp/archive.tgz " + name, shell=True)
