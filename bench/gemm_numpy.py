# Issue 14 (speed): float32 GEMM through numpy on given shapes, one BLAS thread (the caller sets
# OPENBLAS_NUM_THREADS=1 and, to pick OpenBLAS over Debian's reference BLAS, LD_LIBRARY_PATH).
# stdin: {"shapes": [[M, N, K], ...], "repeats": R}; stdout: {"blas": path, "results": [{shape, medianS, cpuMedianS}]}.
import json
import sys
import time

import numpy as np


def blas_library():
    """The BLAS shared object this process loaded (numpy links libblas.so.3, whichever provides it)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return sorted(paths)


def main():
    request = json.load(sys.stdin)
    rng = np.random.default_rng(1)
    results = []
    for m, n, k in request["shapes"]:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        np.matmul(a, b, out=c)  # warm-up
        walls, cpus = [], []
        for _ in range(request["repeats"]):
            t0, c0 = time.perf_counter(), time.process_time()
            np.matmul(a, b, out=c)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        walls.sort()
        cpus.sort()
        results.append({"shape": [m, n, k], "medianS": walls[len(walls) // 2], "cpuMedianS": cpus[len(cpus) // 2]})
    json.dump({"blas": blas_library(), "numpy": np.__version__, "results": results}, sys.stdout)


main()
