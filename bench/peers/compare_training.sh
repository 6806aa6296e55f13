#!/bin/sh
# Training throughput of Deepscope and PyTorch back to back, alternating, REPEATS times per model (same machine, same
# moment), then the median ratio. Usage: bench/peers/compare_training.sh [REPEATS] [THREADS] [MODELS...]
set -e
cd "$(dirname "$0")/../.."
repeats=${1:-3}; threads=${2:-2}; shift 2 2>/dev/null || true
models=${*:-"resnet18 resnet18_cifar lenet"}
dotnet build -c Release bench/Deepscope.Bench -v q >/dev/null
bench="dotnet bench/Deepscope.Bench/bin/Release/net10.0/Deepscope.Bench.dll"
for model in $models; do
  steps=10; warmup=2; [ "$model" = resnet18_cifar ] && steps=2 && warmup=1
  for r in $(seq "$repeats"); do
    $bench training "$model" --steps $steps --warmup $warmup --threads "$threads"
    /usr/bin/python3 bench/peers/torch_train_throughput.py "$model" --steps $steps --warmup $warmup --threads "$threads"
  done
done | tee /dev/stderr | /usr/bin/python3 -c '
import json, sys, statistics, collections
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in sys.stdin:
    r = json.loads(line); runs[r["model"]][r["framework"].split()[0]].append(r["images_per_second"])
for model, by in runs.items():
    ds, pt, n = statistics.median(by["deepscope"]), statistics.median(by["pytorch"]), len(by["deepscope"])
    print(f"{model:15} deepscope {ds:8.1f} img/s  pytorch {pt:8.1f} img/s  ratio {ds / pt:5.2f}  (medians of {n})")
'
