"""A long-lived Python for the tests: calls functions of test scripts on request (torch_session.ts).

Usage:
    torch_session.py REQUESTS_FD REPLIES_FD

Importing torch costs ~1.5 s of CPU, so a test file keeps one of these and sends it every case
instead of starting /usr/bin/python3 per case. Requests are JSON lines read from REQUESTS_FD:
    {"id": int, "script": "/abs/path/to/script.py", "function": "name", "args": [...]}
The script is imported once per process (by path, importlib) and `function(*args)` called. Each
reply is one JSON line written to REPLIES_FD, ASCII only (ensure_ascii), so the locale never matters:
    {"id", "ok": true, "result": ..., "stdout": "...", "stderr": "..."}
    {"id", "ok": false, "error": "traceback text", "stdout": "...", "stderr": "..."}
"stdout"/"stderr" are what the call printed through sys.stdout/sys.stderr (warnings included).
Replies go to their own descriptor, not stdout, so nothing a script prints, even from C code writing
to fd 1, can be mistaken for a reply. stdin is /dev/null. The process exits when REQUESTS_FD closes.
"""

import importlib.util
import io
import json
import os
import sys
import traceback

scripts = {}


def script_module(path):
    """The script at `path`, imported on first use; later requests reuse it (and its imports)."""
    module = scripts.get(path)
    if module is None:
        name = "torch_session_" + os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        # Registered before running, as `import` does, so classes and pickling can find the module.
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        scripts[path] = module
    return module


def handle(request):
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        function = getattr(script_module(request["script"]), request["function"])
        reply = {"ok": True, "result": function(*request["args"])}
    except BaseException:  # noqa: BLE001  (SystemExit from a script is a failed call too)
        reply = {"ok": False, "error": traceback.format_exc()}
    finally:
        sys.stdout, sys.stderr = saved
    reply["stdout"], reply["stderr"] = out.getvalue(), err.getvalue()
    return reply


def main(argv):
    requests = os.fdopen(int(argv[1]), "r", encoding="utf-8")
    replies = os.fdopen(int(argv[2]), "w", encoding="utf-8")
    for line in requests:
        request = json.loads(line)
        reply = handle(request)
        try:
            # allow_nan=False: NaN and Infinity are not JSON, and JSON.parse would reject the line.
            text = json.dumps({"id": request["id"], **reply}, ensure_ascii=True, allow_nan=False)
        except (TypeError, ValueError):
            text = json.dumps({"id": request["id"], "ok": False, "error": "the result is not JSON-able:\n"
                               + traceback.format_exc(), "stdout": reply["stdout"], "stderr": reply["stderr"]})
        replies.write(text + "\n")
        replies.flush()


if __name__ == "__main__":
    main(sys.argv)
