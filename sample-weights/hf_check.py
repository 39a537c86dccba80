"""Cross-check against the real Hugging Face libraries where they are installed (not on the
training machine): transformers' Qwen3MoeForCausalLM loads this folder and reproduces golden.json
(logits, top-k experts, greedy continuation), and the `tokenizers` library encodes like bpe.py.

    python3 hf_check.py [folder]      # needs torch, transformers, tokenizers
"""
import json
import os
import sys

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

import bpe

HERE = os.path.dirname(os.path.abspath(__file__))
EDGE_CASES = ["Hello world, it's a test.\n\tYou will  be  happy!", "  leading", "trailing   ",
              "tabs\t\t\tand\n\n\nnewlines \n", "don't I'LL we've they'd she's 'm",
              "snake_case __init__ x_1 2024-11-28 3.14159", "café naïve über ß £5 — “quotes”",
              "日本語 🎉 Ａｂｃ ①② \x1c\x08", "a<|endoftext|>b", "   "]


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else HERE
    golden = json.load(open(os.path.join(folder, "golden.json")))
    hf_tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    ours = bpe.ByteLevelBpe.load(os.path.join(folder, "tokenizer.json"))
    texts = EDGE_CASES + [c["prompt"] + c["greedy_text"] for c in golden["prompts"]]
    for text in texts:
        assert hf_tok.encode(text).ids == ours.encode(text), f"tokenizers disagrees on {text!r}"
    print(f"tokenizers == bpe.py on {len(texts)} strings")

    model = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32).eval()
    k, eos = golden["num_experts_per_tok"], golden["eos_token_id"]
    for c in golden["prompts"]:
        ids = torch.tensor([c["ids"]])
        with torch.no_grad():
            out = model(ids, output_router_logits=True)
        ref = torch.tensor(c["logits"])
        err = ((out.logits[0] - ref).abs().max() / ref.abs().max()).item()
        experts = [torch.topk(r.reshape(-1, r.shape[-1]), k).indices.sort().values.tolist()
                   for r in out.router_logits]
        expected = [[sorted(e) for e in layer] for layer in c["experts"]]
        generated = model.generate(ids, max_new_tokens=len(c["greedy_ids"]), do_sample=False,
                                   eos_token_id=eos, pad_token_id=eos)[0, ids.shape[1]:].tolist()
        want = c["greedy_ids"][:c["greedy_ids"].index(eos) + 1] if eos in c["greedy_ids"] \
            else c["greedy_ids"]
        print(f"{c['prompt']!r}: max|Δlogit|/max|logit| {err:.2e}, experts "
              f"{'same' if experts == expected else 'DIFFER'}, greedy "
              f"{'same' if generated == want else f'DIFFERS {generated} vs {want}'}")
        assert err < 1e-3 and experts == expected and generated == want


if __name__ == "__main__":
    main()
