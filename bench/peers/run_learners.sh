#!/bin/sh
# Side by side on the same machine, back to back: Deepscope's learners, then scikit-learn's, on MNIST pixels / 255
# (first 10,000 training images, full test set), default options. Repeat with REPEAT=n; pass a data dir as $1.
# THREADS=n gives both sides n threads (libtorch --threads, OMP_NUM_THREADS for numpy/scikit-learn); on a shared
# machine pin the whole script (taskset -c 0 ...) and compare the CPU-second columns.
# usage: [THREADS=1] bench/peers/run_learners.sh [DATA_DIR] [OUT_DIR]
set -e
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
OUT=${2:-bench/results}
REPEAT=${REPEAT:-1}
if [ -n "$THREADS" ]; then THREAD_ARGS="--threads $THREADS"; export OMP_NUM_THREADS=$THREADS; fi
mkdir -p "$OUT"
dotnet build -c Release bench/Deepscope.Bench -v q -nologo >/dev/null
uptime
i=1
while [ "$i" -le "$REPEAT" ]; do
  echo "== round $i: Deepscope"
  dotnet run -c Release --no-build --project bench/Deepscope.Bench -- learners --data-dir "$DATA" $THREAD_ARGS --json "$OUT/learners_deepscope_$i.json"
  echo "== round $i: scikit-learn"
  /usr/bin/python3 bench/peers/sklearn_learners.py "$DATA" --json "$OUT/learners_sklearn_$i.json"
  i=$((i + 1))
done
uptime
