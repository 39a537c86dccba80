"""Golden data for the engine's parity test: golden.json.

For each prompt: its token ids, the F32 logits at every prompt position and the top-k experts
per layer and position (from the shipped BF16 weights widened to F32, all math in F32, as the
engine computes), and the 16-token greedy continuation.

    /usr/bin/python3 golden.py
"""
import json
import os

import torch

import bpe
import export

HERE = os.path.dirname(os.path.abspath(__file__))
# The first three candidates whose greedy choices and router top-k decide clearly are used.
PROMPT_CANDIDATES = ["The meaning of life is", "Q: Why did the programmer", "You will",
                     "A computer", "Love is", "Never trust", "The trouble with", "Q: What do you call"]
PROMPTS_USED = 3
NEW_TOKENS = 16


@torch.no_grad()
def greedy(model, ids, n):
    """Greedy continuation (full recompute per token; also the smallest top-1 margin seen)."""
    out, margin = list(ids), float("inf")
    for _ in range(n):
        logits, _, _ = model(torch.tensor([out]))
        top2 = torch.topk(logits[0, -1], 2).values
        margin = min(margin, (top2[0] - top2[1]).item())
        out.append(int(logits[0, -1].argmax()))
    return out[len(ids):], margin


def main():
    torch.set_num_threads(1)
    model = export.load_model(HERE)
    tok = bpe.ByteLevelBpe.load(os.path.join(HERE, "tokenizer.json"))
    cases = []
    with torch.no_grad():
        for text in PROMPT_CANDIDATES:
            if len(cases) == PROMPTS_USED:
                break
            ids = tok.encode(text)
            logits, router_logits, experts = model(torch.tensor([ids]))
            k = model.cfg.num_experts_per_tok
            probs = [torch.softmax(r.float(), dim=-1).sort(dim=-1, descending=True).values
                     for r in router_logits]
            router_margin = min((p[:, k - 1] - p[:, k]).min().item() for p in probs)
            continuation, margin = greedy(model, ids, NEW_TOKENS)
            cases.append({
                "prompt": text,
                "ids": ids,
                "logits": [[float(f"{v:.7g}") for v in row] for row in logits[0].tolist()],
                "max_abs_logit": logits.abs().max().item(),
                "experts": [e.tolist() for e in experts],  # (layer, position, top-k)
                "greedy_ids": continuation,
                "greedy_text": tok.decode(continuation),
                "greedy_min_top1_margin": margin,
                "router_min_topk_margin": router_margin,
            })
            print(repr(text), "->", repr(tok.decode(continuation)),
                  f"top-1 margin {margin:.4f}, router top-k margin {router_margin:.2e}")
            # The engine's F32 sums differ from torch's in rounding: a near tie in the greedy choice or
            # the router's top-k could flip, so golden prompts must decide clearly.
            if margin < 2e-3 * logits.abs().max().item() or router_margin < 1e-4:
                print("  skipped: near tie")
                cases.pop()
    if len(cases) < PROMPTS_USED:
        raise SystemExit(f"only {len(cases)} prompt candidates decide clearly; add candidates")
    golden = {
        "description": "F32 reference from BF16 weights: logits (position, vocab) per prompt, "
                       "top-k experts (layer, position, k), 16-token greedy continuation (a consumer "
                       "that stops at eos_token_id compares up to and including it)",
        "eos_token_id": tok.eot_id,
        "vocab_size": model.cfg.vocab_size,
        "num_experts_per_tok": model.cfg.num_experts_per_tok,
        "prompts": cases,
    }
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
