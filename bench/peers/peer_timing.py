"""What the step peers share: their common arguments, and the steady-state rate of a repeated step (WARMUP untimed
calls, then STEPS timed ones)."""
import sys
import time
import torch


def framework():
    """'pytorch VERSION (BLAS: PATH)', the BLAS library this process loaded. Debian's python3-torch links the generic
    libblas.so.3: without an optimised one installed (OpenBLAS comes with apt's recommended packages; --no-install-recommends
    leaves the netlib reference BLAS, 30x slower on an MLP), every linear layer and LSTM of the peer runs on it. Warns then."""
    with open("/proc/self/maps") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.split("/")[-1]} or {"none found"})
    if any("/blas/" in path for path in blas):
        print("warning: PyTorch runs on the reference BLAS (" + blas[0] + "); for a fair peer: "
              "apt-get install libopenblas0-openmp", file=sys.stderr)
    return f"pytorch {torch.__version__} (BLAS: {', '.join(blas)})"


def parse_step_arguments(parser, batch):
    """Adds --batch (default BATCH), --steps 10, --warmup 2, --threads N to PARSER, parses, sets threads and seed 0."""
    parser.add_argument("--batch", type=int, default=batch)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None)
    a = parser.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    return a


def items_per_second(step, warmup, steps, items_per_step):
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return items_per_step * steps / (time.perf_counter() - start)
