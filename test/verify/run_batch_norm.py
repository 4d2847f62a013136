"""One torch.nn.functional.batch_norm forward under real PyTorch, float32, one thread.

Function, called through test/helpers/torch_session.py by test/verify/extreme-statistics-torch.test.ts:
    forward(CASE)

CASE: {"shape": [...], "input": [...flat...], "running_mean": [...], "running_var": [...],
       "weight": [...], "bias": [...], "eps": float, "training": bool}
Returns {"output": [...flat float32 values widened exactly to doubles...]}.
"""

import torch


def forward(case):
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
    return {"output": [float(v) for v in y.reshape(-1).tolist()]}
