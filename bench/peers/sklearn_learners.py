#!/usr/bin/python3
"""scikit-learn's counterparts of Deepscope's learners on MNIST pixels / 255 (first N training images, full test
set), default options: accuracy, fit and predict seconds per model and the total of the six. Run beside
`Deepscope.Bench learners` by bench/peers/run_learners.sh.

usage: sklearn_learners.py DATA_DIR [--train N] [--models lda,logreg,...] [--repeat R | --seeds 0,1,...] [--json out.json]

--seeds runs every model once per seed with random_state=seed (models that have one: rf, svm-linear, logreg,
boost), to compare means over seeds with `Deepscope.Bench learners --models rf:seed=0,rf:seed=1,...`.
"""
import argparse, gzip, json, os, sys, time, warnings

import numpy as np
import sklearn
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC, LinearSVC

SIX = ["lda", "logreg", "svm-linear", "svm-rbf", "rf", "knn"]
MODELS = {
    "lda": LinearDiscriminantAnalysis,
    "logreg": LogisticRegression,
    "svm-linear": LinearSVC,
    "svm-rbf": SVC,
    "rf": RandomForestClassifier,
    "knn": KNeighborsClassifier,
    # The LightGBM-style booster of scikit-learn (GradientBoostingClassifier would take an hour here).
    "boost": HistGradientBoostingClassifier,
}


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--train", type=int, default=10000)
    parser.add_argument("--models", default=",".join(SIX + ["boost"]))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seeds", help="comma-separated random_state values, one run each (instead of --repeat)")
    parser.add_argument("--json")
    args = parser.parse_args()
    mnist = os.path.join(args.data_dir, "mnist")
    x_train = idx(os.path.join(mnist, "train-images-idx3-ubyte.gz"))[: args.train].reshape(-1, 784).astype(np.float32) / 255
    y_train = idx(os.path.join(mnist, "train-labels-idx1-ubyte.gz"))[: args.train].astype(np.int64)
    x_test = idx(os.path.join(mnist, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
    y_test = idx(os.path.join(mnist, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}: train {x_train.shape}, test {x_test.shape}; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    # CPU seconds beside wall seconds: on a shared core the wall clock also counts the other processes' turns.
    print(f"{'model':<24} {'accuracy':>9} {'fit s':>9} {'predict s':>10} {'fit cpu':>9} {'pred. cpu':>10}")
    rows = []
    for name in args.models.split(","):
        seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else [None] * args.repeat
        for r, seed in enumerate(seeds):
            model = MODELS[name]()
            if seed is not None and "random_state" in model.get_params():
                model.set_params(random_state=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start, cpu = time.perf_counter(), time.process_time()
                model.fit(x_train, y_train)
                fit, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            accuracy = float((model.predict(x_test) == y_test).mean())
            predict, predict_cpu = time.perf_counter() - start, time.process_time() - cpu
            label = name if seed is None else f"{name}:seed={seed}"
            print(f"{label:<24} {accuracy:9.4f} {fit:9.2f} {predict:10.2f} {fit_cpu:9.2f} {predict_cpu:10.2f}", flush=True)
            rows.append(dict(model=name, seed=seed, accuracy=accuracy, fit_seconds=fit, predict_seconds=predict,
                             fit_cpu_seconds=fit_cpu, predict_cpu_seconds=predict_cpu, repeat=r))
    if all(any(row["model"] == m for row in rows) for m in SIX):
        six = [row for row in rows if row["model"] in SIX]
        total = sum(row["fit_seconds"] + row["predict_seconds"] for row in six) / len(seeds)
        total_cpu = sum(row["fit_cpu_seconds"] + row["predict_cpu_seconds"] for row in six) / len(seeds)
        print(f"{'total (six, fit+predict)':<24} {'':9} {total:20.2f} {total_cpu:20.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(sklearn=sklearn.__version__, train=len(y_train), test=len(y_test), results=rows), f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
