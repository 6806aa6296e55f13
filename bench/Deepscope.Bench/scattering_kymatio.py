"""Kymatio's side of ScatteringBenchmark: prints the images/s of kymatio.torch.Scattering2D (best of 3 wall-clock
timings) and its images per second of process CPU time over the same 3 runs.

usage: /usr/bin/python3 scattering_kymatio.py KYMATIO_SOURCE_DIR C,H,W J L BATCH THREADS
Kymatio is not part of Deepscope: point KYMATIO_SOURCE_DIR at a checkout of https://github.com/kymatio/kymatio.
"""
import sys
import time

import torch

source, shape, J, L, batch, threads = sys.argv[1], tuple(int(s) for s in sys.argv[2].split(",")), *map(int, sys.argv[3:7])
sys.path.insert(0, source)
from kymatio.torch import Scattering2D  # noqa: E402

torch.set_num_threads(threads)
scattering = Scattering2D(J=J, shape=shape[-2:], L=L)
x = torch.rand((batch,) + shape, generator=torch.Generator().manual_seed(0))
with torch.no_grad():
    scattering(x)  # warm-up
    best = float("inf")
    cpu = time.process_time()
    for _ in range(3):
        start = time.perf_counter()
        scattering(x)
        best = min(best, time.perf_counter() - start)
    cpu = time.process_time() - cpu
print(f"{batch / best:.3f} {3 * batch / cpu:.3f}")
