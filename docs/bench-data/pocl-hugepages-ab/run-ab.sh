#!/usr/bin/env bash
# How the runs in this folder were made: 4 KiB-page (MOESCOPE_HUGE_PAGES=0) and huge-page runs, alternated.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=docs/bench-data/pocl-hugepages-ab
run() {   # run SIDE NAME ARGS...: one bench, 4 KiB pages for "off", huge pages for "on"
  local side=$1 name=$2; shift 2
  MOESCOPE_HUGE_PAGES=$([ "$side" = on ] && echo 1 || echo 0) ./moescope bench --device 0 "$@" \
    --json "$out/$name.json" > "$out/$name.txt" 2>/dev/null
}
for i in 1 2 3 4; do for side in off on; do
  run $side $side-$i --parts gemm --gemm-dtypes F32,F16,BF16 --gemm-n 1,32,512 --repeats 5
done; done
for i in 1 2 3; do for side in off on; do
  run $side moe-$side-$i --parts moe,model --tokens 1,b4,b16,32,128 --variants 0 --repeats 5
done; done
for i in 4 5 6; do for side in off on; do
  run $side model-$side-$i --parts model
done; done
