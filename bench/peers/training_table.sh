#!/bin/sh
# The training table of issue 25: for each model, Deepscope (`deepscope bench train --json`) and the same definition in
# PyTorch (torch_train_throughput.py), alternated REPEATS times; medians of images/s, GFLOP/s (3 passes x 2 x the
# forward multiply-adds as defined, the same count for both) and % of the machine's peak.
# Usage: [STEPS=5] [WARMUP=2] bench/peers/training_table.sh [REPEATS] [THREADS] [MODELS...]  (DCF models need DCFNET_PYTORCH,
# see the peer; the peer must run on an optimised BLAS, see docs/benchmarks.md)
set -e
cd "$(dirname "$0")/../.."
repeats=${1:-3}; threads=${2:-2}; shift 2 2>/dev/null || true
steps=${STEPS:-5}; warmup=${WARMUP:-2}
models=${*:-"resnet18 resnet18_cifar lenet madry-mnist alexnet-small inception-small mlp-1x512"}
dotnet build -c Release src/Deepscope.Cli -v q >/dev/null
deepscope="dotnet src/Deepscope.Cli/bin/Release/net10.0/deepscope.dll"
for model in $models; do
  size=""; [ "$model" = resnet18 ] && size="--image-size 32"  # the peer's torchvision ResNet-18 is fed 32x32
  for r in $(seq "$repeats"); do
    $deepscope bench train --model "$model" $size --steps "$steps" --warmup "$warmup" --top 0 --threads "$threads" --json | tail -1
    /usr/bin/python3 bench/peers/torch_train_throughput.py "$model" --steps "$steps" --warmup "$warmup" --threads "$threads"
  done
done | /usr/bin/python3 -c '
import json, sys, statistics, collections
ours, peer = collections.defaultdict(list), collections.defaultdict(list)
for line in sys.stdin:
    r = json.loads(line)
    (peer if r.get("framework", "").startswith("pytorch") else ours)[r["model"]].append(r)
print("| model | multiply-adds / image | Deepscope img/s | GFLOP/s | % of peak | PyTorch img/s | GFLOP/s | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for model, runs in ours.items():
    assert runs[0]["input_shape"] == peer[model][0]["input_shape"], (model, runs[0]["input_shape"], peer[model][0]["input_shape"])
    macs, peak = runs[0]["macs_per_image"], runs[0]["peak"]["gflops_per_second"]
    ds = statistics.median(r["images_per_second"] for r in runs)
    pt = statistics.median(r["images_per_second"] for r in peer[model])
    gf = lambda ips: 6 * macs * ips / 1e9
    print(f"| {model} | {macs / 1e6:.1f} M | {ds:.1f} | {gf(ds):.1f} | {100 * gf(ds) / peak:.1f} | {pt:.1f} | {gf(pt):.1f} | {ds / pt:.2f}x |")
formula = runs[0]["peak"]["formula"]
print(f"\n{len(runs)} alternating runs per model, medians; peak {formula}")
'
