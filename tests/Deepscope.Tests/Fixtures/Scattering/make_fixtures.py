"""Generates the Kymatio reference fixtures for Deepscope's Scattering2D tests.

Each case_*.npz holds x (float32, random uniform with a fixed seed), Sx = kymatio.torch.Scattering2D(J, (H, W), L,
max_order)(x) and the settings J, L, max_order. Kymatio itself is not part of Deepscope: bring a copy of its source
(https://github.com/kymatio/kymatio, 0.4.0.dev0 was used) and run, with Debian's python3-torch, python3-scipy and
python3-numpy:

    /usr/bin/python3 make_fixtures.py /path/to/kymatio-checkout [output-dir]
"""
import os
import sys

import numpy as np
import torch

# name: (batch shape, (H, W), J, L, max_order) -- non-square, odd sides, 2^J equal to a side, L = 4 / 5 / 6 / 8, orders 1 and 2.
CASES = {
    "case_20x28_J2_L8_order2": ((2,), (20, 28), 2, 8, 2),
    "case_17x23_J3_L6_order2": ((1, 2), (17, 23), 3, 6, 2),
    "case_16x12_J1_L4_order1": ((3,), (16, 12), 1, 4, 1),
    "case_8x11_J3_L4_order2": ((2,), (8, 11), 3, 4, 2),
    "case_24x40_J3_L8_order1": ((1,), (24, 40), 3, 8, 1),
    "case_15x15_J2_L6_order1": ((2,), (15, 15), 2, 6, 1),
    "case_12x20_J2_L5_order2": ((1,), (12, 20), 2, 5, 2),
}


def main():
    sys.path.insert(0, sys.argv[1])
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    import kymatio
    from kymatio.torch import Scattering2D

    for seed, (name, (batch, shape, J, L, max_order)) in enumerate(sorted(CASES.items())):
        x = np.random.default_rng(seed).random(batch + shape, dtype=np.float32)
        S = Scattering2D(J=J, shape=shape, L=L, max_order=max_order)
        Sx = S(torch.from_numpy(x)).numpy()
        np.savez_compressed(os.path.join(out, name + ".npz"), x=x, Sx=Sx, J=np.int64(J), L=np.int64(L),
                            max_order=np.int64(max_order))
        print(f"{name}: x {x.shape} -> Sx {Sx.shape} (kymatio {kymatio.__version__}, torch {torch.__version__})")


if __name__ == "__main__":
    main()
