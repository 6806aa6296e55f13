"""The steady-state rate of a repeated step, as the peers measure it: WARMUP untimed calls, then STEPS timed ones."""
import time


def items_per_second(step, warmup, steps, items_per_step):
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return items_per_step * steps / (time.perf_counter() - start)
