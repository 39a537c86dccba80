"""Hugging Face checkpoint files for the trained model: config.json, generation_config.json,
model.safetensors (BF16, HF tensor names), written without the safetensors library.

    /usr/bin/python3 export.py        # re-export from work/best.pt (what train.py exports)
"""
import json
import os
import struct

import torch

from qwen3_moe import Qwen3MoeConfig, Qwen3MoeForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
DENSE_INTERMEDIATE_SIZE = 384  # unused (every layer is MoE) but required by the HF config


def hf_config(cfg, eot_id):
    return {
        "architectures": ["Qwen3MoeForCausalLM"],
        "model_type": "qwen3_moe",
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": eot_id,
        "eos_token_id": eot_id,
        "decoder_sparse_step": 1,
        "mlp_only_layers": [],
        "head_dim": cfg.head_dim,
        "hidden_act": "silu",
        "hidden_size": cfg.hidden_size,
        "initializer_range": 0.02,
        "intermediate_size": DENSE_INTERMEDIATE_SIZE,
        "max_position_embeddings": cfg.max_position_embeddings,
        "max_window_layers": cfg.num_hidden_layers,
        "moe_intermediate_size": cfg.moe_intermediate_size,
        "norm_topk_prob": cfg.norm_topk_prob,
        "num_attention_heads": cfg.num_attention_heads,
        "num_experts": cfg.num_experts,
        "num_experts_per_tok": cfg.num_experts_per_tok,
        "num_hidden_layers": cfg.num_hidden_layers,
        "num_key_value_heads": cfg.num_key_value_heads,
        "output_router_logits": False,
        "rms_norm_eps": cfg.rms_norm_eps,
        "rope_scaling": None,
        "rope_theta": cfg.rope_theta,
        "router_aux_loss_coef": cfg.router_aux_loss_coef,
        "sliding_window": None,
        "use_sliding_window": False,
        "tie_word_embeddings": cfg.tie_word_embeddings,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.51.0",
        "use_cache": True,
        "vocab_size": cfg.vocab_size,
    }


def config_from_hf(j):
    return Qwen3MoeConfig(
        vocab_size=j["vocab_size"], hidden_size=j["hidden_size"],
        num_hidden_layers=j["num_hidden_layers"], num_attention_heads=j["num_attention_heads"],
        num_key_value_heads=j["num_key_value_heads"], head_dim=j["head_dim"],
        num_experts=j["num_experts"], num_experts_per_tok=j["num_experts_per_tok"],
        moe_intermediate_size=j["moe_intermediate_size"], norm_topk_prob=j["norm_topk_prob"],
        rms_norm_eps=j["rms_norm_eps"], rope_theta=j["rope_theta"],
        max_position_embeddings=j["max_position_embeddings"],
        tie_word_embeddings=j["tie_word_embeddings"],
        router_aux_loss_coef=j["router_aux_loss_coef"])


def hf_state_dict(model):
    """Our parameters under HF names, experts unstacked to mlp.experts.E.{gate,up,down}_proj."""
    out = {}
    for name, p in model.state_dict().items():
        name = name if name.startswith("lm_head") else "model." + name
        stacked = {"experts_gate": "gate_proj", "experts_up": "up_proj", "experts_down": "down_proj"}
        leaf = name.rsplit(".", 1)[-1]
        if leaf in stacked:
            prefix = name.rsplit(".", 1)[0]
            for e in range(p.shape[0]):
                out[f"{prefix}.experts.{e}.{stacked[leaf]}.weight"] = p[e]
        else:
            out[name] = p
    if model.cfg.tie_word_embeddings:
        del out["lm_head.weight"]
    return out


def load_into(model, tensors):
    """Inverse of hf_state_dict: restack experts and load (tensors converted to F32)."""
    state = {}
    names = {"gate_proj": "experts_gate", "up_proj": "experts_up", "down_proj": "experts_down"}
    for layer in range(model.cfg.num_hidden_layers):
        for hf, ours in names.items():
            state[f"layers.{layer}.mlp.{ours}"] = torch.stack(
                [tensors[f"model.layers.{layer}.mlp.experts.{e}.{hf}.weight"]
                 for e in range(model.cfg.num_experts)])
    for name, t in tensors.items():
        if ".experts." not in name:
            state[name[len("model."):] if name.startswith("model.") else name] = t
    if model.cfg.tie_word_embeddings:
        state["lm_head.weight"] = state["embed_tokens.weight"]
    model.load_state_dict({k: v.float() for k, v in state.items()})


def write_safetensors(path, tensors):
    """safetensors: u64 LE header length, JSON header (sorted names, BF16), then raw data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.bfloat16).contiguous()
        data = t.view(torch.int16).numpy().astype("<i2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # data starts 8-byte aligned, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """name -> F32 tensor (BF16 widened exactly)."""
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "BF16":
            raise ValueError(f"{name}: expected BF16, got {meta['dtype']}")
        begin, end = meta["data_offsets"]
        bits = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
        out[name] = torch.from_numpy(bits.view(np.float32).reshape(meta["shape"]).copy())
    return out


def load_model(folder=HERE):
    """The shipped model: config.json + model.safetensors, weights BF16-rounded, math in F32."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = config_from_hf(json.load(f))
    model = Qwen3MoeForCausalLM(cfg)
    load_into(model, read_safetensors(os.path.join(folder, "model.safetensors")))
    model.eval()
    return model


def export(model, cfg, tok, folder=HERE):
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hf_config(cfg, tok.eot_id), f, indent=2)
        f.write("\n")
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": tok.eot_id, "eos_token_id": tok.eot_id,
                   "do_sample": False, "max_new_tokens": 64,
                   "transformers_version": "4.51.0"}, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(folder, "model.safetensors"), hf_state_dict(model))


def main():
    import bpe
    ckpt = torch.load(os.path.join(HERE, "work", "best.pt"))
    cfg = Qwen3MoeConfig(**ckpt["config"])
    model = Qwen3MoeForCausalLM(cfg)
    model.load_state_dict(ckpt["model"])
    export(model, cfg, bpe.ByteLevelBpe.load(os.path.join(HERE, "tokenizer.json")), HERE)


if __name__ == "__main__":
    main()
