"""Deliberately vulnerable sample for bandit. Never run it; never copy from it."""
import hashlib
import pickle
import subprocess

import requests
import yaml

DB_PASSWORD = "4cUbFtkKgVfpkdFYOKF4"


def connect(host, password="hunter2-Qx9vLm"):
    return {"host": host, "password": password}


def login(user):
    return connect("db.internal", password="Tz8rWq2NbYc5LpKd")


def run(cmd):
    return subprocess.call("tar czf backup.tgz " + cmd, shell=True)


def load_config(text):
    return yaml.load(text)


def load_session(blob):
    return pickle.loads(blob)


def digest(data):
    return hashlib.md5(data).hexdigest()


def fetch(url):
    return requests.get(url, verify=False)


def check(user):
    assert user.is_admin
    try:
        return eval(user.expr)
    except Exception:
        pass
