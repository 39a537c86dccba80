#!/usr/bin/env python3
"""Before/after table of the MoE layer bench from alternated `moescope bench --parts moe --json` runs.

usage: python3 docs/bench_ab_moe.py [--labels A,B] BEFORE_1.json AFTER_1.json BEFORE_2.json AFTER_2.json ...
       (files alternate before, after; each figure is the median over the runs of the run's median, per workload and
       variant: wall µs per layer and the device µs of each expert stage)
"""
import json
import statistics
import sys

EXPERT_STAGES = ("gate_up_silu", "gate", "up", "down")


def figures(report):
    out = {}
    for w in report["workloads"]:
        for v in w["variants"]:
            key = (w["label"], v["label"])
            out[key + ("wall",)] = v["wall_us"]["median"]
            for s in v["stages"]:
                if s["stage"] in EXPERT_STAGES:
                    out[key + (s["stage"],)] = s["us"]["median"]
    return out


def main(args):
    labels = ["before", "after"]
    if args[:1] == ["--labels"] and len(args) > 1 and len(args[1].split(",")) == 2:
        labels = args[1].split(",")
        args = args[2:]
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__)
    sides = [[], []]
    for i, path in enumerate(args):
        with open(path) as f:
            sides[i % 2].append(figures(json.load(f)))
    print("| workload | variant | µs | %s (runs) | %s (runs) | %s / %s |" % (labels[0], labels[1], labels[1], labels[0]))
    print("| --- | --- | --- | --- | --- | --- |")
    for key in sides[1][0]:
        before = [r[key] for r in sides[0] if key in r]
        after = [r[key] for r in sides[1] if key in r]
        if not before or not after:
            continue
        b, a = statistics.median(before), statistics.median(after)
        print("| %s | %s | %s | %.0f (%s) | %.0f (%s) | %.2fx |" % (
            key[0], key[1], key[2], b, ", ".join("%.0f" % x for x in before), a, ", ".join("%.0f" % x for x in after),
            a / b))


if __name__ == "__main__":
    main(sys.argv[1:])
