#!/usr/bin/env python3
"""Before/after table of the ggml MUL_MAT_ID case from alternated `moescope bench --parts gemm --json` runs.

usage: python3 docs/bench_ab.py [--labels A,B] BEFORE_1.json AFTER_1.json BEFORE_2.json AFTER_2.json ...
       (files alternate before, after; each figure is the median over the runs of the run's median GFLOP/s;
       A.json+B.json counts the reports A and B, e.g. one per n, as one run;
       --labels names the two sides in the table, "before,after" by default)
"""
import json
import statistics
import sys

GGML = {("F32", 1): 27, ("F32", 32): 35, ("F32", 512): 74, ("F16", 1): 58, ("F16", 32): 49, ("F16", 512): 59}


def engine_path(report):
    return {(r["dtype"], r["n"]): r for r in report["mul_mat_id"]["results"] if r["engine_path"]}


def main(args):
    labels = ["before", "after"]
    if args[:1] == ["--labels"] and len(args) > 1 and len(args[1].split(",")) == 2:
        labels = args[1].split(",")
        args = args[2:]
    paths = args
    if len(paths) < 2 or len(paths) % 2:
        sys.exit(__doc__)
    runs = {"before": [], "after": []}
    for i, p in enumerate(paths):
        parts = []
        for part in p.split("+"):
            with open(part) as f:
                parts.append(json.load(f))
        merged = parts[0]
        for extra in parts[1:]:
            merged["mul_mat_id"]["results"] += extra["mul_mat_id"]["results"]
        runs["before" if i % 2 == 0 else "after"].append(merged)
    for side, reports in runs.items():
        for r in reports:
            print("%s %s: read %.1f GB/s F32, load %.1f" % (labels[side == "after"], r["started_utc"],
                                                          r["roofline"]["read_f32_gbps"],
                                                          r["host"]["load_average_start"]))
    print()
    print("| n | dtype | ggml CPU | %s (runs) | %s (runs) | %s / %s | %s vs target |" % (
        labels[0], labels[1], labels[1], labels[0], labels[1]))
    print("| --- | --- | --- | --- | --- | --- | --- |")
    keys = sorted(engine_path(runs["after"][0]), key=lambda k: (k[1], ["F32", "F16", "BF16"].index(k[0])))
    after_f16 = {}
    for dtype, n in keys:
        before = [engine_path(r)[(dtype, n)]["gflops"] for r in runs["before"]]
        after = [engine_path(r)[(dtype, n)]["gflops"] for r in runs["after"]]
        b, a = statistics.median(before), statistics.median(after)
        if dtype == "F16":
            after_f16[n] = a
        target = GGML.get((dtype, n), after_f16.get(n))
        verdict = "-" if target is None else ("pass" if a >= target else "**miss** (%.2fx)" % (target / a))
        ggml = str(GGML[(dtype, n)]) if (dtype, n) in GGML else "our F16 (%.1f)" % after_f16.get(n, float("nan"))
        print("| %d | %s | %s | %.1f (%s) | %.1f (%s) | %.2fx | %s |" % (
            n, dtype, ggml, b, ", ".join("%.1f" % x for x in before), a, ", ".join("%.1f" % x for x in after),
            a / b, verdict))


if __name__ == "__main__":
    main(sys.argv[1:])
