#!/usr/bin/env bash
# Decode expert stages of the Qwen3-30B-A3B layer shape in BF16, Q8_0 and Q4_K (float and Q8 activations), run
# alternately: ROUNDS rounds, each one `moescope bench --tokens 1` per configuration in the same order.
# usage (from the project root): docs/bench-data/pocl-quant-gemv-ab/run-ab.sh OUT_DIR [ROUNDS]
set -euo pipefail
out=${1:?usage: run-ab.sh OUT_DIR [ROUNDS]}; rounds=${2:-3}
mkdir -p "$out"
for r in $(seq "$rounds"); do
  for cfg in BF16 Q8_0 Q4_K Q8_0+q8 Q4_K+q8; do
    dtype=${cfg%+q8}; q8=(); [ "$cfg" != "$dtype" ] && q8=(--q8-activations)
    ./moescope bench --parts moe --tokens 1 --variants default --repeats 7 --dtype "$dtype" "${q8[@]}" \
      --json "$out/$cfg-$r.json" > "$out/$cfg-$r.log" 2>&1
  done
  echo "round $r of $rounds done"
done
