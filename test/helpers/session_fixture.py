"""Functions for torch-session.test.ts: what a test script may do to the session that calls it."""

import os
import sys
import time

# Counted on sys, which outlives any module object: a second import of this file would show as 2.
sys.session_fixture_imports = getattr(sys, "session_fixture_imports", 0) + 1


def echo(*args):
    return list(args)


def import_count():
    return sys.session_fixture_imports


def noisy(text):
    print("print to stdout: " + text)
    os.write(1, b"raw write to fd 1\n")
    sys.stderr.write("to stderr\n")
    return text


def raises(message):
    raise ValueError(message)


def exits():
    sys.exit(3)


def sleeps(seconds):
    time.sleep(seconds)
    return seconds


def not_json():
    return {1, 2}


def cwd():
    return os.getcwd()


def env(name):
    return os.environ.get(name)


def nan():
    return float("nan")
