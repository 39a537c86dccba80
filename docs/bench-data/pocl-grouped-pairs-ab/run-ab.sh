#!/usr/bin/env bash
# How the runs in this folder were made: the build before grouping pairs by expert (BEFORE, a worktree at ed52256)
# and the build after it (AFTER), alternated. Usage: run-ab.sh BEFORE_DIR AFTER_DIR
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
for i in 1 2 3; do
  for side in before after; do
    dir=$([ $side = before ] && echo "$1" || echo "$2")
    (cd "$dir" && ./moescope bench --device 0 --parts moe,gemm --tokens 1,b4,b16 --variants 0,1 --repeats 5 \
      --gemm-n 1 --json "$out/$side-$i.json" > "$out/$side-$i.txt" 2>/dev/null)
  done
done
# then 4 more pairs of batched decode B=16 alone (b16-before-N / b16-after-N)
for i in 4 5 6 7; do
  for side in before after; do
    dir=$([ $side = before ] && echo "$1" || echo "$2")
    (cd "$dir" && ./moescope bench --device 0 --parts moe --tokens b16 --variants 0 --repeats 5 \
      --json "$out/b16-$side-$i.json" > "$out/b16-$side-$i.txt" 2>/dev/null)
  done
done
