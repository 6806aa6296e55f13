#!/usr/bin/python3
"""Writes nb_small.npz: a small data set with class-specific feature variances and scikit-learn's GaussianNB
results on it, the reference of NaiveBayesTests. Re-run with /usr/bin/python3 (Debian's python3-sklearn)."""
import os

import numpy as np
from sklearn.naive_bayes import GaussianNB

rng = np.random.RandomState(20261205)
centres = rng.normal(scale=2.0, size=(3, 4))
scales = rng.uniform(0.5, 3.0, size=(3, 4))
def sample(counts):
    y = np.repeat(np.arange(3), counts)
    x = centres[y] + rng.normal(size=(len(y), 4)) * scales[y]
    return x.astype(np.float32), y.astype(np.int64)
# Unequal class sizes, so the priors matter.
x_train, y_train = sample([30, 15, 45])
x_test, y_test = sample([10, 10, 10])
out = dict(x_train=x_train, y_train=y_train, x_test=x_test)
x64, t64 = x_train.astype(np.float64), x_test.astype(np.float64)
for name, smoothing in [("default", 1e-9), ("smooth", 0.5)]:
    nb = GaussianNB(var_smoothing=smoothing).fit(x64, y_train)
    out[f"{name}_proba"] = nb.predict_proba(t64)
    out[f"{name}_var"] = nb.var_
    out[f"{name}_mean"] = nb.theta_
np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), "nb_small.npz"), **out)
