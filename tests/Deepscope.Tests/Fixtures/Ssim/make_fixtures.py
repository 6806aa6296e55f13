"""SSIM references for the training metrics: scikit-image's structural_similarity (Wang et al. 2004 settings:
gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1) on two pairs of small images.

Run with the system python3 and python3-skimage (Debian: apt-get install python3-skimage; /usr/bin/python3 make_fixtures.py); writes ssim.json beside this script.
"""
import json
import os

import numpy as np
import skimage
from skimage.metrics import structural_similarity

rng = np.random.default_rng(13)
pairs = []
for channels, size in [(1, 16), (3, 20)]:
    clean = rng.random((channels, size, size))
    noisy = np.clip(clean + 0.2 * rng.standard_normal(clean.shape), 0, 1)
    ssim = structural_similarity(clean, noisy, channel_axis=0, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, data_range=1.0)
    pairs.append({"shape": list(clean.shape), "clean": clean.ravel().tolist(), "noisy": noisy.ravel().tolist(), "ssim": float(ssim)})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ssim.json"), "w") as f:
    json.dump({"skimage": skimage.__version__, "pairs": pairs}, f)
