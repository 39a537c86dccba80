#!/usr/bin/env bash
# How the runs in this folder were made: the ggml MUL_MAT_ID case six times in a row at one commit, nothing else
# running, to count how often each target is met on this VM (its memory bandwidth moves by the minute).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=docs/bench-data/pocl-ggml-repeat
for i in 1 2 3 4 5 6; do
  ./moescope bench --device 0 --parts gemm --gemm-dtypes F32,F16,BF16 --gemm-n 1,32,512 --repeats 5 \
    --json "$out/run-$i.json" > "$out/run-$i.txt" 2>/dev/null
done
