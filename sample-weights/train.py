"""Train the bundled sample model: a tiny Qwen3-MoE on Debian's fortunes, on the CPU.

    /usr/bin/python3 train.py [--steps N] [--bench]

Deterministic for a given torch build and thread count (seeded; batches drawn from a saved
generator, so a resumed run continues the same sequence). Writes, in this folder:
tokenizer.json (only if absent: the shipped one is reused so token ids stay stable),
work/checkpoint.pt (resumable), work/best.pt (the weights with the lowest validation loss so far),
work/train_log.jsonl, and at the end config.json, generation_config.json and model.safetensors
(via export.py, from work/best.pt).
"""
import argparse
import json
import math
import os
import time

import torch

import bpe
import corpus
from qwen3_moe import Qwen3MoeConfig, Qwen3MoeForCausalLM, load_balancing_loss

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
SEED = 1234
VOCAB_SIZE = 2048
SEQ_LEN = 128
BATCH = 16
LR, MIN_LR_FRACTION, WARMUP, WEIGHT_DECAY = 3e-3, 0.1, 50, 0.1
EVAL_EVERY = 100
# One thread: on a CPU shared with other jobs a second thread mostly waits at barriers
# (measured back to back, other jobs on the cores: 0.31 s/step with 1 thread, 2.9 s/step with 2).
THREADS = 1


def build_tokenizer(train_docs):
    """The shipped tokenizer.json if present (ids must stay stable across retrainings), else train one."""
    path = os.path.join(HERE, "tokenizer.json")
    if os.path.exists(path):
        return bpe.ByteLevelBpe.load(path)
    tok = bpe.train([f.text for f in train_docs], VOCAB_SIZE)
    tok.save(path)
    return tok


def token_stream(tok, docs):
    """One long stream: <|endoftext|> doc <|endoftext|> doc ... (documents in the given order)."""
    ids = [tok.eot_id]
    for f in docs:
        ids.extend(tok.encode(f.text))
        ids.append(tok.eot_id)
    return torch.tensor(ids, dtype=torch.long)


def lr_at(step, total):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, total - WARMUP)
    return LR * (MIN_LR_FRACTION + (1 - MIN_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def evaluate(model, val_stream):
    """Mean next-token cross-entropy over the validation stream in SEQ_LEN windows."""
    model.eval()
    n = (len(val_stream) - 1) // SEQ_LEN
    total, count = 0.0, 0
    for start in range(0, n, 64):
        rows = range(start, min(n, start + 64))
        x = torch.stack([val_stream[r * SEQ_LEN:(r + 1) * SEQ_LEN] for r in rows])
        y = torch.stack([val_stream[r * SEQ_LEN + 1:(r + 1) * SEQ_LEN + 1] for r in rows])
        logits, _, _ = model(x)
        total += torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return total / count


def make_optimizer(model):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=LR, betas=(0.9, 0.95), eps=1e-8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--bench", action="store_true", help="time 10 steps and exit")
    ap.add_argument("--threads", type=int, default=THREADS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    os.makedirs(WORK, exist_ok=True)

    train_docs, val_docs = corpus.split(corpus.read_fortunes())
    tok = build_tokenizer(train_docs)
    shuffled = [train_docs[i] for i in torch.randperm(len(train_docs),
                                                      generator=torch.Generator().manual_seed(SEED))]
    train_stream = token_stream(tok, shuffled)
    val_stream = token_stream(tok, val_docs)
    print(f"train tokens {len(train_stream)}, validation tokens {len(val_stream)}", flush=True)

    cfg = Qwen3MoeConfig(vocab_size=len(tok.vocab))
    model = Qwen3MoeForCausalLM(cfg)
    opt = make_optimizer(model)
    batches = torch.Generator().manual_seed(SEED + 1)
    step, elapsed = 0, 0.0
    ckpt_path = os.path.join(WORK, "checkpoint.pt")
    best_path = os.path.join(WORK, "best.pt")
    best_val = torch.load(best_path)["val_ce"] if os.path.exists(best_path) and not args.bench \
        else float("inf")
    if os.path.exists(ckpt_path) and not args.bench:
        ckpt = torch.load(ckpt_path)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        batches.set_state(ckpt["batches"])
        step, elapsed = ckpt["step"], ckpt["elapsed"]
        print(f"resumed at step {step}", flush=True)
    log = open(os.path.join(WORK, "train_log.jsonl"), "a")

    t0 = time.time() - elapsed
    while step < (10 if args.bench else args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps)
        starts = torch.randint(0, len(train_stream) - SEQ_LEN - 1, (BATCH,), generator=batches)
        x = torch.stack([train_stream[s:s + SEQ_LEN] for s in starts])
        y = torch.stack([train_stream[s + 1:s + SEQ_LEN + 1] for s in starts])
        logits, router_logits, _ = model(x)
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        # Switch: every MoE layer adds its own balancing loss (coefficient per layer).
        aux_per_layer = [load_balancing_loss(r, cfg.num_experts, cfg.num_experts_per_tok)
                         for r in router_logits]
        aux = sum(aux_per_layer) / len(aux_per_layer)
        loss = ce + cfg.router_aux_loss_coef * sum(aux_per_layer)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        record = {"step": step, "time_s": round(time.time() - t0, 2), "train_ce": ce.item(),
                  "aux": aux.item(), "lr": opt.param_groups[0]["lr"]}
        if args.bench:
            print(record, flush=True)
            continue
        if step % EVAL_EVERY == 0 or step == args.steps:
            record["val_ce"] = evaluate(model, val_stream)
            if record["val_ce"] < best_val:
                # Several epochs over a small corpus: the shipped weights are the best validated ones.
                best_val = record["val_ce"]
                torch.save({"model": model.state_dict(), "step": step, "val_ce": best_val,
                            "config": cfg.to_dict()}, best_path + ".tmp")
                os.replace(best_path + ".tmp", best_path)
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                        "batches": batches.get_state(), "step": step,
                        "elapsed": time.time() - t0, "config": cfg.to_dict()}, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
        if step % 20 == 0 or "val_ce" in record:
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(record, flush=True)
    if not args.bench:
        import export  # imported late so the exporter can be edited while a long run trains
        best = torch.load(best_path)
        model.load_state_dict(best["model"])
        export.export(model, cfg, tok, HERE)
        print(f"exported the weights of step {best['step']} (val CE {best['val_ce']:.4f})", flush=True)


if __name__ == "__main__":
    main()
