#!/usr/bin/env bash
# One prepared device call: the bench on the lent GPU, results straight under $OUT (partial results survive).
set -u
cd "$(dirname "$0")/.."
DEVICE=${DEVICE:-H200}
Q=()
if [ "${QUICK:-0}" = 1 ]; then
  Q=(--tokens 1,b4,p32 --variants 0,1,2,4 --repeats 1 --warmup 0 --gemm-n 1,32 --gemm-dtypes F16 --prompt 4 --decode 2 --layers 1 --model-layers 1)
else
  bash .device/opencl-nvidia.sh >> "$OUT/log.txt" 2>&1 || { echo "opencl-nvidia.sh failed" | tee -a "$OUT/log.txt"; exit 1; }
  nvidia-smi --query-gpu=name,clocks.max.sm,clocks.max.mem,power.limit,memory.total --format=csv >> "$OUT/log.txt" 2>&1
fi
JAVA=(.device/jre/bin/java --enable-native-access=ALL-UNNAMED -Xss4m -Xmx16g -cp '.device/lib/*')
"${JAVA[@]}" org.moescope.app.cli.Cli devices >> "$OUT/log.txt" 2>&1
run() { # name, timeout, args...
  local name=$1 t=$2; shift 2
  echo "=== $name: $*" | tee -a "$OUT/log.txt"
  local s=$(date +%s)
  timeout "$t" "${JAVA[@]}" org.moescope.app.cli.Cli "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err"
  echo "=== $name rc=$? in $(( $(date +%s) - s ))s" | tee -a "$OUT/log.txt"
  tail -2 "$OUT/$name.err"
}
run bf16-fixed 110 bench --device "$DEVICE" --dtype BF16 --routing fixed --repeats 5 --warmup 2 --gemm-both \
    --json "$OUT/bf16-fixed.json" "${Q[@]}"
run bf16-random 45 bench --device "$DEVICE" --dtype BF16 --routing random --repeats 5 --warmup 2 --parts moe \
    --variants 0,1,2,4 --json "$OUT/bf16-random.json" "${Q[@]}"
ls -la "$OUT"
