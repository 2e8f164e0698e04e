"""A deliberately insecure module for bandit to report on."""
import hashlib
import pickle
import subprocess

DB_PASSWORD = "Tr0ub4dor&3-not-real"


def connect(user, password="s3cr3t-default-pw"):
    return (user, password)


def run(cmd):
    subprocess.call(cmd, shell=True)


def load(blob):
    return pickle.loads(blob)


def digest(data):
    return hashlib.md5(data).hexdigest()


def query(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)


try:
    connect("admin", password="hunter2-literal-arg")
except Exception:
    pass
