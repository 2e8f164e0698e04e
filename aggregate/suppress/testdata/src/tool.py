import subprocess

subprocess.call("ls", shell=True)  # nosec B602
subprocess.call("ls", shell=True)  # nosec B101
