"""One torch.nn.functional.batch_norm forward under real PyTorch, float32, one thread.

Usage:
    run_batch_norm.py CASE.json     (written by test/verify/extreme-statistics-torch.test.ts)

CASE.json: {"shape": [...], "input": [...flat...], "running_mean": [...], "running_var": [...],
            "weight": [...], "bias": [...], "eps": float, "training": bool}
Prints {"output": [...flat float32 values widened exactly to doubles...]}.
"""

import json
import sys

import torch


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        case = json.load(f)
    torch.set_num_threads(1)
    f32 = lambda values: torch.tensor(values, dtype=torch.float32)
    x = f32(case["input"]).reshape(case["shape"])
    y = torch.nn.functional.batch_norm(
        x,
        f32(case["running_mean"]),
        f32(case["running_var"]),
        f32(case["weight"]),
        f32(case["bias"]),
        case["training"],
        0.1,
        case["eps"],
    )
    print(json.dumps({"output": [float(v) for v in y.reshape(-1).tolist()]}))


if __name__ == "__main__":
    main()
