"""Run the modules of a `caffe2torch convert --weights` Python module under real PyTorch.

Usage:
    run_blocks.py blocks MODULE.py CASES.json    build(), eval; feed each case's input to modules[key]
    run_blocks.py state MODULE.py [WEIGHTS]      build(WEIGHTS or default): state_dict as JSON
    run_blocks.py error MODULE.py WEIGHTS        build(WEIGHTS): the exception's type and message

CASES.json is a list of {"key", "shape", "data"}. Output is one JSON document on stdout.
"""

import importlib.util
import json
import sys

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


def blocks(path, cases_path):
    generated = load(path)
    modules = generated.set_training(generated.build(), False)
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
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


def main(argv):
    command = argv[1]
    if command == "blocks":
        result = blocks(argv[2], argv[3])
    elif command == "state":
        result = state(argv[2], argv[3] if len(argv) > 3 else None)
    elif command == "error":
        result = error(argv[2], argv[3])
    else:
        raise SystemExit("unknown command: " + command)
    json.dump(result, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main(sys.argv)
