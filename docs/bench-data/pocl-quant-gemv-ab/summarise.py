"""Medians of the decode expert stages per configuration and round, and each quantized stage's speed-up over BF16
in the same round (the ratio that the alternated order makes meaningful). usage: summarise.py DIR"""
import glob, json, os, statistics, sys

d = sys.argv[1]
stages = {}
for path in glob.glob(os.path.join(d, "*.json")):
    cfg, r = os.path.basename(path)[:-5].rsplit("-", 1)
    v = json.load(open(path))["workloads"][0]["variants"][0]
    for s in v["stages"]:
        name = s["stage"].removesuffix("_q8")
        if name in ("gate_up_silu", "down", "quantize", "quantize_down"):
            stages[(cfg, int(r), name)] = s["us"]["median"]
        if s["stage"] in ("quantize_q8", "quantize_q8_down"):
            stages[(cfg, int(r), s["stage"])] = s["us"]["median"]
rounds = sorted({k[1] for k in stages})
cfgs = ["BF16", "Q8_0", "Q4_K", "Q8_0+q8", "Q4_K+q8"]
print(f"{'config':9} {'stage':14} " + " ".join(f"{'r' + str(r) + ' us':>9}" for r in rounds) + f" {'x BF16 (per round)':>28} {'median':>7}")
for cfg in cfgs:
    for st in ("gate_up_silu", "down", "quantize_q8", "quantize_q8_down"):
        us = [stages.get((cfg, r, st)) for r in rounds]
        if all(u is None for u in us):
            continue
        ratios = [stages[("BF16", r, st)] / u for r, u in zip(rounds, us) if u and ("BF16", r, st) in stages]
        rtxt = " ".join(f"{x:.2f}" for x in ratios)
        med = f"{statistics.median(ratios):.2f}" if ratios else "-"
        print(f"{cfg:9} {st:14} " + " ".join(f"{u:9.1f}" if u else f"{'-':>9}" for u in us) + f" {rtxt:>28} {med:>7}")
