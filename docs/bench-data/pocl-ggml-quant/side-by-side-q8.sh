#!/usr/bin/env bash
# (MoEScope with --q8-activations: x quantized to Q8_0 inside each timed call, as ggml does.) Times ggml's CPU backend (test-backend-ops perf, MUL_MAT_ID) and `moescope bench --parts gemm` alternately on this
# machine, on the Qwen3-30B-A3B gate case (128 experts, top-8, m=768, k=2048, n = 1, 32, 512), and prints the
# medians and their ratio per type and n. The machines are noisy: only ratios from one alternated run mean anything.
#
# usage (from the project root): ../shared/tools/ggml-side-by-side.sh GGML_SOURCE_DIR [TYPES] [ROUNDS]
#   GGML_SOURCE_DIR  a checkout of ggml-org/ggml (github.com/ggml-org/ggml); built once into
#                    GGML_SOURCE_DIR/build-moescope (CPU backend, static, test-backend-ops only)
#   TYPES            ggml type names, default "f32 f16"; MoEScope's --gemm-dtypes gets them upper-cased
#                    (q8_0 -> Q8_0, q4_K -> Q4_K)
#   ROUNDS           alternated rounds, default 3
set -euo pipefail
src=${1:?usage: ggml-side-by-side.sh GGML_SOURCE_DIR [TYPES] [ROUNDS]}
types=${2:-"f32 f16"}; rounds=${3:-3}
build="$src/build-moescope"; tbo="$build/bin/test-backend-ops"
if [ ! -x "$tbo" ]; then
  echo "building ggml's test-backend-ops in $build (a few minutes)"
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGGML_BUILD_TESTS=ON -DGGML_BUILD_EXAMPLES=OFF \
        -DBUILD_SHARED_LIBS=OFF > "$build.log" 2>&1
  cmake --build "$build" -j"$(nproc)" --target test-backend-ops >> "$build.log" 2>&1
fi
work=$(mktemp -d)
ours_types=$(echo "$types" | tr 'a-z ' 'A-Z,')
for r in $(seq "$rounds"); do
  for t in $types; do
    "$tbo" perf -o MUL_MAT_ID -b CPU -p "type_a=$t,type_b=f32,n_mats=128,n_used=8,b=0,m=768,n=(1|32|512),k=2048" \
      > "$work/ggml-$t-$r.txt" 2>&1
  done
  ./moescope bench --parts gemm --q8-activations --gemm-dtypes "$ours_types" --json "$work/ours-$r.json" > "$work/ours-$r.log" 2>&1 \
    || { echo "moescope bench failed:"; tail -5 "$work/ours-$r.log"; exit 1; }
  echo "round $r of $rounds done"
done
python3 - "$work" "$rounds" "$types" <<'PY'
import json, re, statistics, sys
work, rounds, types = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
ggml, ours = {}, {}
for r in range(1, rounds + 1):
    for t in types:
        for n, g in re.findall(r"n=(\d+),k=2048\).*?([\d.]+) GFLOPS", open(f"{work}/ggml-{t}-{r}.txt").read()):
            ggml.setdefault((t.upper(), int(n)), []).append(float(g))
    for rec in json.load(open(f"{work}/ours-{r}.json"))["mul_mat_id"]["results"]:
        if rec.get("engine_path", True):
            ours.setdefault((rec["dtype"].upper(), rec["n"]), []).append(rec["gflops"])
print(f"{'type':6} {'n':>4} {'ggml GFLOP/s (runs)':>28} {'MoEScope GFLOP/s (runs)':>30} {'ratio':>6}")
for key in sorted(ggml):
    g, o = ggml[key], ours.get(key, [])
    ratio = statistics.median(o) / statistics.median(g) if o else float("nan")
    fmt = lambda xs: " ".join(f"{x:.1f}" for x in xs)
    print(f"{key[0]:6} {key[1]:>4} {fmt(g):>28} {fmt(o) or 'missing':>30} {ratio:>6.2f}")
PY
