"""Build a model.py written by `caffe2torch export --allow-stubs` and exercise its stubs.

Usage:
    check_stubs.py MODEL.py

Prints one JSON document: what every CaffeLayerStub holds (by attribute), the exception the
forward pass raises (type and message), each stub's NotImplementedError message, and the output shapes once every stub is replaced by
nn.Identity() (as a user replaces a stub by a module of their own).
"""

import importlib.util
import json
import sys

import torch
from torch import nn


def main(path):
    spec = importlib.util.spec_from_file_location("caffe2torch_stubs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    net = module.build(weights=False)
    stubs = {
        name: {
            "class": type(m).__name__,
            "caffe_name": m.caffe_name,
            "caffe_type": m.caffe_type,
            "attribute": m.attribute,
            "reason": m.reason,
            "prototxt": m.prototxt,
            "python": m.python,
        }
        for name, m in net.named_children()
        if isinstance(m, module.CaffeLayerStub)
    }
    xs = [torch.randn(*[1 if d is None else d for d in module.INPUT_SHAPES[b]]) for b in module.INPUTS]
    raised = None
    try:
        net(*xs)
    except Exception as e:  # noqa: BLE001  (the test checks which)
        raised = {"type": type(e).__name__, "message": str(e)}
    messages = {}
    for name in stubs:
        try:
            getattr(net, name)(torch.zeros(1))
        except NotImplementedError as e:
            messages[name] = str(e)
    for name in stubs:
        setattr(net, name, nn.Identity())
    out = net(*xs)
    out = out if isinstance(out, tuple) else (out,)
    result = {"stubs": stubs, "raised": raised, "messages": messages, "replaced_outputs": [list(t.shape) for t in out], "layer_names": module.LAYER_NAMES}
    sys.stdout.write(json.dumps(result, ensure_ascii=True))


main(sys.argv[1])
