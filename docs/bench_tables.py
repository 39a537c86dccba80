#!/usr/bin/env python3
"""Markdown summary tables of a `moescope bench --json` report (the tables of docs/benchmarks.md).

usage: python3 docs/bench_tables.py REPORT.json
"""
import json
import sys


def short(v):
    return "/".join(["fus" if v["fused_gate_up_silu"] else "unf", "host" if v["host_topk"] else "dev",
                     "dir" if v["direct_dispatch"] else "ind"])


def f(x, digits=1):
    return "-" if x is None else ("%." + str(digits) + "f") % x


def pct(x):
    return "-" if x is None else "%.1f%%" % (100 * x)


def header(r):
    d, s, roof, host = r["device"], r["settings"], r["roofline"], r.get("host")
    print("Device: %s (%s, %d CUs). Shape %s, %d layer(s), %s, routing %s, %d warm-up, %d repeats."
          % (d["name"], d["platform"], d["compute_units"], s["shape_name"], s["layers"], s["dtype"], s["routing"],
             s["warmup"], s["repeats"]))
    if roof:
        print("Roofs measured in the run: read %s GB/s (F32), %s (F16), %s (BF16); FP32 FMA %s GFLOP/s."
              % (f(roof["read_f32_gbps"]), f(roof["read_f16_gbps"]), f(roof["read_bf16_gbps"]),
                 f(roof["fp32_gflops"])))
    if host and host.get("load_average_start") is not None:
        print("Host: %d CPUs, load average %.1f at start, %.1f at end."
              % (host["cpus"], host["load_average_start"], host["load_average_end"]))
    print()


def layer_table(r):
    print("| workload | variant | wall µs (min..max) | device µs | experts | weight GB/s | % read BW | GFLOP/s | % FP32 peak | vs default |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for w in r["workloads"]:
        for v in w["variants"]:
            d = v.get("vs_default")
            print("| %s | %s | %s (%s..%s) | %s | %s | %s | %s | %s | %s | %s |" % (
                w["label"], short(v), f(v["wall_us"]["median"]), f(v["wall_us"]["min"]), f(v["wall_us"]["max"]),
                f(v["device_us"]["median"]), f(v["distinct_experts"]), f(v["wall_gbps"], 2),
                pct(v["read_bandwidth_fraction"]), f(v["wall_gflops"], 2), pct(v["fp32_peak_fraction"]),
                "-" if d is None else "%+.1f%%" % (100 * (d["wall_ratio"] - 1))))
    print()


def stage_table(r, variant="fus/dev/ind"):
    print("Stages of the %s variant (device time per layer, median):" % variant)
    print()
    print("| workload | stage | µs (q1..q3) | weight MB | GB/s | % read BW | GFLOP/s | % FP32 peak |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for w in r["workloads"]:
        for v in w["variants"]:
            if short(v) != variant:
                continue
            for s in v["stages"]:
                print("| %s | %s | %s (%s..%s) | %s | %s | %s | %s | %s |" % (
                    w["label"], s["stage"], f(s["us"]["median"]), f(s["us"]["q1"]), f(s["us"]["q3"]),
                    f(s["weight_bytes"] / 1e6) if s["weight_bytes"] else "-", f(s["gbps"], 2),
                    pct(s["read_bandwidth_fraction"]), f(s["gflops"], 2), pct(s["fp32_peak_fraction"])))
    print()


def gemm_table(r):
    res = r["mul_mat_id"]["results"]
    if not res:
        return
    print("| dtype | n | kernel | engine path | µs (min..max) | GFLOP/s | target GFLOP/s | verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for g in res:
        print("| %s | %d | %s | %s | %s (%s..%s) | %s | %s | %s |" % (
            g["dtype"], g["n"], g["kernel"], "yes" if g["engine_path"] else "no", f(g["us"]["median"]),
            f(g["us"]["min"]), f(g["us"]["max"]), f(g["gflops"], 2), f(g["target_gflops"]), g["verdict"]))
    print()


def model_table(r):
    if not r["models"]:
        return
    print("| model | what | prompt | prefill tokens/s | decode steps | decode tokens/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for m in r["models"]:
        if m.get("error"):
            print("| %s | not run: %s | | | | |" % (m["model"], m["error"].replace("|", "/")))
        else:
            print("| %s | %s | %d | %s | %d | %s |" % (m["model"], m["description"], m["prompt_tokens"],
                                                      f(m["prefill_tokens_per_s"]), m["decode_tokens"],
                                                      f(m["decode_tokens_per_s"], 2)))
    print()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as fh:
        r = json.load(fh)
    header(r)
    if r["workloads"]:
        layer_table(r)
        stage_table(r)
    gemm_table(r)
    model_table(r)


if __name__ == "__main__":
    main()
