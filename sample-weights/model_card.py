"""Numbers and figures for README.md, computed from the shipped files (BF16 weights, F32 math):
parameter counts, validation loss, expert load per layer, per-category expert preference,
token preferences per expert, generations; and training_curve.png from work/train_log.jsonl.

    /usr/bin/python3 model_card.py     # writes work/analysis.md and training_curve.png
"""
import json
import os
from collections import Counter, defaultdict

import torch

import bpe
import corpus
import export
import train
from qwen3_moe import Qwen3MoeForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = 128
GREEDY_PROMPTS = ["The meaning of life is", "You will", "Q: What do you call", "A computer",
                  "Love is", "The trouble with"]
SAMPLE_PROMPTS = ["You will", "Q: Why did the programmer", "Never"]


def parameter_counts(model):
    cfg = model.cfg
    total = sum(p.numel() for p in model.parameters())
    expert = sum(p.numel() for n, p in model.named_parameters() if ".experts_" in n)
    active = total - expert + expert * cfg.num_experts_per_tok // cfg.num_experts
    embed = model.embed_tokens.weight.numel()
    return total, active, embed


@torch.no_grad()
def run_windows(model, stream):
    """(summed cross-entropy, token count, experts per layer (layer, N, k)) over WINDOW-token windows."""
    ce, n, experts = 0.0, 0, [[] for _ in model.layers]
    windows = [stream[i:i + WINDOW + 1] for i in range(0, len(stream) - 1, WINDOW)]
    full = [w for w in windows if len(w) == WINDOW + 1]
    batches = [torch.stack(full[b:b + 32]) for b in range(0, len(full), 32)]
    batches += [w[None] for w in windows if len(w) != WINDOW + 1]
    for batch in batches:
        x, y = batch[:, :-1], batch[:, 1:]
        logits, _, ex = model(x)
        ce += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                reduction="sum").item()
        n += y.numel()
        for layer, e in enumerate(ex):
            experts[layer].append(e)
    return ce, n, [torch.cat(e) for e in experts]


def stream_of(tok, docs):
    ids = [tok.eot_id]
    for f in docs:
        ids.extend(tok.encode(f.text) + [tok.eot_id])
    return torch.tensor(ids)


def load_table(experts, num_experts):
    rows = ["| layer | min | max | mean | max/mean | min/mean | dead |", "|---|---|---|---|---|---|---|"]
    for layer, e in enumerate(experts):
        counts = torch.bincount(e.flatten(), minlength=num_experts).float()
        mean = counts.mean().item()
        rows.append(f"| {layer} | {int(counts.min())} | {int(counts.max())} | {mean:.0f} | "
                    f"{counts.max().item() / mean:.2f} | {counts.min().item() / mean:.2f} | "
                    f"{int((counts == 0).sum())} |")
    return "\n".join(rows), [torch.bincount(e.flatten(), minlength=num_experts).tolist()
                             for e in experts]


def category_table(model, tok, fortunes):
    """Per category and layer: the expert with the largest lift (share in category / share overall)."""
    by_cat = defaultdict(list)
    for f in fortunes:
        by_cat[f.category].append(f)
    per_cat = {}
    for cat, docs in sorted(by_cat.items()):
        _, n, experts = run_windows(model, stream_of(tok, docs))
        per_cat[cat] = (n, [torch.bincount(e.flatten(), minlength=model.cfg.num_experts).float()
                            for e in experts])
    overall = [sum(c[1][layer] for c in per_cat.values()) for layer in range(len(model.layers))]
    header = "| category | tokens | " + " | ".join(f"L{l}" for l in range(len(model.layers))) + " |"
    rows = [header, "|---|---|" + "---|" * len(model.layers)]
    for cat, (n, counts) in per_cat.items():
        cells = []
        for layer, c in enumerate(counts):
            lift = (c / c.sum()) / (overall[layer] / overall[layer].sum()).clamp_min(1e-12)
            e = int(lift.argmax())
            cells.append(f"E{e} ×{lift[e]:.2f}")
        rows.append(f"| {cat} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def token_table(model, tok, stream, experts, layer, min_count=40, top=6):
    """Per expert of one layer: the frequent tokens it most often receives, as P(expert | token)."""
    ids = stream[:len(experts[layer])]
    token_counts = Counter(ids.tolist())
    rows = ["| expert | share of slots | frequent tokens routed to it (P(expert given token)) |",
            "|---|---|---|"]
    ex = experts[layer]
    total_slots = ex.numel()
    for e in range(model.cfg.num_experts):
        mask = (ex == e).any(dim=1)
        routed = Counter(ids[mask].tolist())
        lifts = [(round(routed[t] / token_counts[t], 2), token_counts[t], t)
                 for t in routed if token_counts[t] >= min_count]
        lifts.sort(reverse=True)
        shown = ", ".join(f"`{tok.decode([t])!r}` {100 * l:.0f}%".replace("|", "\\|")
                          for l, _, t in lifts[:top])
        rows.append(f"| E{e} | {100 * (ex == e).sum().item() / total_slots:.1f}% | {shown} |")
    return "\n".join(rows)


@torch.no_grad()
def generate(model, tok, prompt, n, temperature=0.0, top_k=40, generator=None):
    ids = tok.encode(prompt)
    for _ in range(n):
        logits, _, _ = model(torch.tensor([ids[-model.cfg.max_position_embeddings:]]))
        last = logits[0, -1]
        if temperature == 0.0:
            nxt = int(last.argmax())
        else:
            values, idx = torch.topk(last / temperature, top_k)
            nxt = int(idx[torch.multinomial(torch.softmax(values, -1), 1, generator=generator)])
        if nxt == tok.eot_id:
            break
        ids.append(nxt)
    return tok.decode(ids)


def training_curve(log_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    records = [json.loads(line) for line in open(log_path)]
    steps = [r["step"] for r in records]
    train_ce = [r["train_ce"] for r in records]
    val = [(r["step"], r["val_ce"]) for r in records if "val_ce" in r]
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    ax.plot(steps, train_ce, label="train (batch, every 20 steps)", lw=1)
    ax.plot([s for s, _ in val], [v for _, v in val], "o-", label="validation", lw=1.5)
    ax.set_xlabel(f"step ({train.BATCH} × {train.SEQ_LEN} tokens)")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_ylim(bottom=min(train_ce + [v for _, v in val]) - 0.3, top=8)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path)
    return records


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    out = []
    model = export.load_model(HERE)
    tok = bpe.ByteLevelBpe.load(os.path.join(HERE, "tokenizer.json"))
    fortunes = corpus.read_fortunes()
    train_docs, val_docs = corpus.split(fortunes)
    total, active, embed = parameter_counts(model)
    out.append(f"parameters: total {total}, active per token {active}, embedding {embed}, "
               f"lm_head {model.lm_head.weight.numel()}")

    records = training_curve(os.path.join(HERE, "work", "train_log.jsonl"),
                             os.path.join(HERE, "training_curve.png"))
    last = [r for r in records if "val_ce" in r][-1]
    out.append(f"last log record: {json.dumps(last)}")

    val_stream = stream_of(tok, val_docs)
    ce, n, experts = run_windows(model, val_stream)
    out.append(f"validation: {n} tokens, CE (BF16 weights, F32 math) {ce / n:.4f}")
    ckpt = torch.load(os.path.join(HERE, "work", "checkpoint.pt"))
    best = torch.load(os.path.join(HERE, "work", "best.pt"))  # the exported weights
    f32 = Qwen3MoeForCausalLM(model.cfg)
    f32.load_state_dict(best["model"])
    f32.eval()
    ce32, n32, _ = run_windows(f32, val_stream)
    out.append(f"validation CE with the F32 training weights of step {best['step']}: {ce32 / n32:.4f}")
    out.append(f"training wall time: {ckpt['elapsed']:.0f} s, steps {ckpt['step']}")

    table, counts = load_table(experts, model.cfg.num_experts)
    out += ["", "## expert load (validation, top-k slots)", table, "", "counts: " + json.dumps(counts)]
    for layer in (0, len(model.layers) - 1):
        out += ["", f"## token preference, layer {layer} (validation)",
                token_table(model, tok, val_stream, experts, layer)]
    out += ["", "## category preference (all fortunes)", category_table(model, tok, fortunes)]

    out += ["", "## greedy (64 tokens, stop at <|endoftext|>)"]
    for p in GREEDY_PROMPTS:
        out += ["```", generate(model, tok, p, 64), "```"]
    g = torch.Generator().manual_seed(7)
    out += ["", "## sampled (temperature 0.8, top-k 40, torch generator seed 7)"]
    for p in SAMPLE_PROMPTS:
        out += ["```", generate(model, tok, p, 64, 0.8, 40, g), "```"]
    text = "\n".join(out) + "\n"
    with open(os.path.join(HERE, "work", "analysis.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
