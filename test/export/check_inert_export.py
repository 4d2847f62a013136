"""Import a model.py written by `caffe2torch export`, build it, run it, and record what it did.

Usage:
    check_inert_export.py MODEL.py [WEIGHTS.safetensors]

An audit hook (PEP 578) installed after torch is imported records every event that runs a
program, touches the file system, opens a socket or loads native code, plus every `open`,
`import`, `compile` and `exec`. The module is then imported, build() called (loading WEIGHTS
when given, else initialising with Caffe's fillers), forward and forward_layers run on N(0, 1)
inputs of INPUT_SHAPES, and init_caffe_fillers run again. A NotImplementedError (a stub of
--allow-stubs) is recorded, not raised. Output: one JSON document with the events and the
module's data (SOURCE, NET, LAYER_NAMES, CAFFE_BLOBS, INPUTS, OUTPUTS, the stubs' caffe_name
by attribute and forward_layers' keys), ASCII only. The TypeScript test decides which events
are allowed; this script only records.
"""

import importlib.util
import json
import sys

import torch  # noqa: F401  (imported before the hook: its own start-up is not the module's doing)
from torch import nn  # noqa: F401

WATCHED_PREFIXES = (
    "os.", "subprocess.", "shutil.", "socket.", "ctypes.", "urllib.", "http.", "webbrowser.",
    "pty.", "glob.", "tempfile.", "sqlite3.", "ftplib.", "smtplib.", "telnetlib.", "poplib.",
    "imaplib.", "nntplib.", "cpython.run_", "sys.", "code.", "pdb", "builtins.input",
)
WATCHED_EVENTS = {"open", "import", "compile", "exec", "marshal.loads", "pickle.find_class"}

events = []


def describe(event, args):
    if event == "exec":
        return {"event": event, "filename": getattr(args[0], "co_filename", repr(args[0]))}
    if event == "compile":
        return {"event": event, "filename": str(args[1])}
    if event == "open":
        return {"event": event, "path": str(args[0]), "mode": str(args[1])}
    if event == "import":
        return {"event": event, "module": str(args[0])}
    return {"event": event, "args": [repr(a)[:200] for a in args]}


def hook(event, args):
    if event in WATCHED_EVENTS or event.startswith(WATCHED_PREFIXES):
        events.append(describe(event, args))


def main():
    path = sys.argv[1]
    weights = sys.argv[2] if len(sys.argv) > 2 else False
    sys.addaudithook(hook)
    spec = importlib.util.spec_from_file_location("caffe2torch_hostile_export", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build(weights)
    g = torch.Generator().manual_seed(0)
    xs = [torch.randn(*[1 if d is None else d for d in module.INPUT_SHAPES[b]], generator=g) for b in module.INPUTS]
    raised = None
    layer_keys = None
    try:
        with torch.no_grad():
            net(*xs)
            layer_keys = list(net.forward_layers(*xs).keys())
    except NotImplementedError as e:
        raised = str(e)
    module.init_caffe_fillers(net, seed=1)
    stubs = {name: m.caffe_name for name, m in net.named_children() if type(m).__name__ == "CaffeLayerStub"}
    result = {
        "events": events,
        "source": module.SOURCE,
        "net": module.NET,
        "layer_names": module.LAYER_NAMES,
        "caffe_blobs": module.CAFFE_BLOBS,
        "inputs": module.INPUTS,
        "outputs": module.OUTPUTS,
        "attributes": [name for name, _ in net.named_children()],
        "state_keys": list(net.state_dict().keys()),
        "forward_layers": layer_keys,
        "raised": raised,
        "stubs": stubs,
        # Where Python and torch live: reading their own files (lazy imports) is not the module's doing.
        "python_dirs": sorted({p for p in [sys.prefix, sys.exec_prefix, sys.base_prefix, *sys.path] if p}),
    }
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


main()
