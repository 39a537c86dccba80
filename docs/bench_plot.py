#!/usr/bin/env python3
"""Plots a `moescope bench --json` report: time per MoE stage for each switch combination, one panel per workload,
and the ggml MUL_MAT_ID comparison.

usage: python3 docs/bench_plot.py REPORT.json OUT_PREFIX      (writes OUT_PREFIX-stages.png, OUT_PREFIX-ggml.png)
"""
import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STAGE_ORDER = ["router", "route", "route_ids", "host_topk", "gate_up_silu", "gate", "up", "silu", "down", "wsum"]
COLORS = {"router": "#8c564b", "route": "#7f7f7f", "route_ids": "#7f7f7f", "host_topk": "#d62728",
          "gate_up_silu": "#1f77b4", "gate": "#2ca02c", "up": "#98df8a", "silu": "#bcbd22", "down": "#ff7f0e",
          "wsum": "#9467bd"}


def short(v):
    return "/".join(["fus" if v["fused_gate_up_silu"] else "unf", "host" if v["host_topk"] else "dev",
                     "dir" if v["direct_dispatch"] else "ind"])


def plot_stages(report, path):
    workloads = report["workloads"]
    cols = 2 if len(workloads) > 1 else 1
    rows = math.ceil(len(workloads) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7 * cols, 2.6 * rows + 0.8), squeeze=False)
    seen = set()
    for ax, w in zip(axes.flat, workloads):
        labels = [short(v) for v in w["variants"]]
        for i, v in enumerate(w["variants"]):
            left = 0.0
            stages = sorted(v["stages"], key=lambda s: STAGE_ORDER.index(s["stage"])
                            if s["stage"] in STAGE_ORDER else len(STAGE_ORDER))
            for s in stages:
                us = s["us"]["median"]
                ax.barh(i, us, left=left, color=COLORS.get(s["stage"], "#444444"),
                        label=s["stage"] if s["stage"] not in seen else None, edgecolor="white", linewidth=0.4)
                seen.add(s["stage"])
                left += us
            wall = v["wall_us"]["median"]
            ax.plot([wall], [i], marker="|", color="black", markersize=14, markeredgewidth=2)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels, fontsize=8, family="monospace")
        ax.invert_yaxis()
        ax.set_title(w["label"] + " (per layer)", fontsize=10)
        ax.set_xlabel("µs (bars: device time per stage, profiling on; |: wall time, profiling off)", fontsize=7)
        ax.tick_params(axis="x", labelsize=8)
    for ax in list(axes.flat)[len(workloads):]:
        ax.axis("off")
    d = report["device"]
    s = report["settings"]
    fig.suptitle("%s: %s layers, %s weights, routing %s, median of %d repeats"
                 % (d["name"][:60], s["shape_name"], s["dtype"], s["routing"], s["repeats"]), fontsize=10)
    handles, names = [], []
    for a in axes.flat:
        h, n = a.get_legend_handles_labels()
        handles += h
        names += n
    order = sorted(range(len(names)), key=lambda k: STAGE_ORDER.index(names[k]) if names[k] in STAGE_ORDER else 99)
    fig.legend([handles[k] for k in order], [names[k] for k in order], loc="lower center", ncol=10, fontsize=8,
               frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_ggml(report, path):
    results = [r for r in report["mul_mat_id"]["results"] if r["engine_path"]]
    if not results:
        return False
    fig, ax = plt.subplots(figsize=(8, 3.4))
    labels, ours, targets = [], [], []
    for r in results:
        labels.append("%s n=%d\n%s" % (r["dtype"], r["n"], r["kernel"]))
        ours.append(r["gflops"])
        targets.append(r["target_gflops"] if r["target_gflops"] is not None else float("nan"))
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], ours, width=0.4, label="MoEScope (" + report["device"]["name"][:30] + ")",
           color="#1f77b4")
    ax.bar([i + 0.2 for i in x], targets, width=0.4, label="target (ggml CPU; BF16: our F16)", color="#bbbbbb")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("GFLOP/s")
    ax.set_title("MUL_MAT_ID 128 experts, 8 used, m 768, k 2048", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        report = json.load(f)
    if report["workloads"]:
        plot_stages(report, sys.argv[2] + "-stages.png")
    plot_ggml(report, sys.argv[2] + "-ggml.png")


if __name__ == "__main__":
    main()
