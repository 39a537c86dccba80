#!/usr/bin/env bash
# The synthetic Qwen3-30B-A3B in Q4_K, all 48 layers, written as a GGUF file and run from it (read in place from the
# mapped file on POCL), float and Q8 activations alternately. usage (from the project root): run.sh DIR
set -euo pipefail
dir=${1:?usage: run.sh DIR}
./moescope convert --model qwen3-30b-a3b --type Q4_K --to-gguf "$dir/qwen3-30b-a3b-q4k.gguf"
ids=$(python3 -c "import random; random.seed(1); print(','.join(str(random.randrange(1,150000)) for _ in range(128)))")
for cfg in float q8 float q8; do
  extra=(); [ "$cfg" = q8 ] && extra=(--q8-activations)
  /usr/bin/time -v ./moescope generate --model "$dir/qwen3-30b-a3b-q4k.gguf" --ids "$ids" --max-tokens 32 \
    "${extra[@]}" 2>&1 | grep -E '^prefill|^decode|Maximum resident|Elapsed'
done
