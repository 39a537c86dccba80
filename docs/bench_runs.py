#!/usr/bin/env python3
"""How often each target of the ggml MUL_MAT_ID case is met over repeated runs of one build.

usage: python3 docs/bench_runs.py RUN_1.json RUN_2.json ...   (`moescope bench --parts gemm --json` reports)

Per engine-path case: the runs' GFLOP/s, their median, the runs that meet the target (ggml's figure; for BF16 the
F16 figure of the same run) and the kernel's weight GB/s over a plain read of the same bytes (%read), lowest-highest.
"""
import json
import statistics
import sys


def main(paths):
    if not paths:
        sys.exit(__doc__)
    cases = {}
    roofs = []
    for p in paths:
        report = json.load(open(p))
        roofs.append(report["roofline"]["read_f32_gbps"])
        for r in report["mul_mat_id"]["results"]:
            if r["engine_path"]:
                cases.setdefault((r["n"], r["dtype"]), []).append(r)
    order = {"F32": 0, "F16": 1, "BF16": 2}
    print(f"{len(paths)} runs; F32 read roof (512 MiB) {min(roofs):.1f}-{max(roofs):.1f} GB/s")
    print()
    print("| n | dtype | target | GFLOP/s per run | median | met | %read |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (n, dtype) in sorted(cases, key=lambda c: (c[0], order[c[1]])):
        rs = cases[(n, dtype)]
        gflops = [r["gflops"] for r in rs]
        met = sum(1 for r in rs if r["verdict"] == "pass")
        target = "our F16" if dtype == "BF16" else f"{rs[0]['target_gflops']:.0f}"
        shares = [100 * r["weight_gbps"] / r["same_bytes_read_gbps"] for r in rs if r.get("same_bytes_read_gbps")]
        share = f"{min(shares):.0f}-{max(shares):.0f}%" if shares and n < 512 else "compute-bound"
        print(f"| {n} | {dtype} | {target} | {', '.join(f'{g:.1f}' for g in gflops)} | "
              f"{statistics.median(gflops):.1f} | {met} of {len(rs)} | {share} |")


if __name__ == "__main__":
    main(sys.argv[1:])
