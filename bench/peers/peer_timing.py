"""What the step peers share: their common arguments, and the steady-state rate of a repeated step (WARMUP untimed
calls, then STEPS timed ones)."""
import time
import torch


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
