"""Run the modules of a `caffe2torch convert --weights` Python module under real PyTorch.

Functions, called through test/helpers/torch_session.py (one Python per test file):
    blocks(MODULE_PATH, CASES)        build(), eval; feed each case's input to modules[key]
    state(MODULE_PATH, WEIGHTS=None)  build(WEIGHTS or default): the state_dict
    error(MODULE_PATH, WEIGHTS)       build(WEIGHTS): the exception's type and message

CASES is a list of {"key", "shape", "data"}. Each returns a JSON-able value. Every call loads the
module file afresh, so calls in one process share no module state.
"""

import importlib.util

import torch


def load(path):
    spec = importlib.util.spec_from_file_location("caffe2torch_weights", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def has_safetensors():
    try:
        import safetensors  # noqa: F401
    except ImportError:
        return False
    return True


def blocks(path, cases):
    generated = load(path)
    modules = generated.set_training(generated.build(), False)
    outputs = []
    with torch.no_grad():
        for case in cases:
            x = torch.tensor(case["data"], dtype=torch.float32).reshape(case["shape"])
            y = modules[case["key"]](x)
            outputs.append({"key": case["key"], "shape": list(y.shape), "data": y.flatten().tolist()})
    return {
        "weights_file": generated.WEIGHTS_FILE,
        "safetensors_package": has_safetensors(),
        "training": {k: bool(m.training) for k, m in modules.items()},
        "outputs": outputs,
    }


def state(path, weights=None):
    generated = load(path)
    modules = generated.build() if weights is None else generated.build(weights)
    out = {k: v.flatten().tolist() for k, v in modules.state_dict().items()}
    if has_safetensors():
        import safetensors
        if hasattr(safetensors, "CALLS"):  # the tests' stand-in package only
            out["__safetensors_calls__"] = len(safetensors.CALLS)
    return out


def error(path, weights):
    generated = load(path)
    try:
        generated.build(weights)
    except Exception as e:  # the test pins the type and the message
        return {"type": type(e).__name__, "message": str(e)}
    return None
