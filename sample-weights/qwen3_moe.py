"""Qwen3-MoE in plain torch, mirroring Hugging Face's Qwen3MoeForCausalLM math
(modeling_qwen3_moe.py) with every layer sparse (decoder_sparse_step 1, mlp_only_layers []).

Parameter names match the HF checkpoint except that each layer's experts are stacked:
experts_{gate,up,down} (E, I, C) / (E, C, I); export.py unstacks them.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Qwen3MoeConfig:
    vocab_size: int = 2048
    hidden_size: int = 128
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    head_dim: int = 32
    num_experts: int = 16
    num_experts_per_tok: int = 2
    moe_intermediate_size: int = 96
    norm_topk_prob: bool = True
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    max_position_embeddings: int = 512
    tie_word_embeddings: bool = False
    router_aux_loss_coef: float = 0.01

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(cfg, positions):
    """cos, sin (T, head_dim) in HF layout: frequencies duplicated across both halves."""
    inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.int64)
                                        .float() / cfg.head_dim))
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        h, d, kv = cfg.num_attention_heads, cfg.head_dim, cfg.num_key_value_heads
        self.q_proj = nn.Linear(cfg.hidden_size, h * d, bias=False)
        self.k_proj = nn.Linear(cfg.hidden_size, kv * d, bias=False)
        self.v_proj = nn.Linear(cfg.hidden_size, kv * d, bias=False)
        self.o_proj = nn.Linear(h * d, cfg.hidden_size, bias=False)
        self.q_norm = RMSNorm(d, cfg.rms_norm_eps)
        self.k_norm = RMSNorm(d, cfg.rms_norm_eps)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        h, d, kv = self.cfg.num_attention_heads, self.cfg.head_dim, self.cfg.num_key_value_heads
        q = self.q_norm(self.q_proj(x).view(b, t, h, d)).transpose(1, 2)   # (B, H, T, D)
        k = self.k_norm(self.k_proj(x).view(b, t, kv, d)).transpose(1, 2)  # (B, KV, T, D)
        v = self.v_proj(x).view(b, t, kv, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(h // kv, dim=1)  # GQA: query head i reads KV head i // (H/KV)
        v = v.repeat_interleave(h // kv, dim=1)
        scores = (q @ k.transpose(2, 3)) / math.sqrt(d)
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = (probs @ v).transpose(1, 2).reshape(b, t, h * d)
        return self.o_proj(out)


class SparseMoe(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        e, c, i = cfg.num_experts, cfg.hidden_size, cfg.moe_intermediate_size
        self.gate = nn.Linear(c, e, bias=False)  # the router
        self.experts_gate = nn.Parameter(torch.empty(e, i, c))
        self.experts_up = nn.Parameter(torch.empty(e, i, c))
        self.experts_down = nn.Parameter(torch.empty(e, c, i))

    def forward(self, x):
        """x (B, T, C) -> (out (B, T, C), router_logits (B*T, E), top-k experts (B*T, k))."""
        b, t, c = x.shape
        flat = x.reshape(-1, c)
        router_logits = self.gate(flat)
        probs = torch.softmax(router_logits, dim=-1, dtype=torch.float32)
        weights, experts = torch.topk(probs, self.cfg.num_experts_per_tok, dim=-1)
        if self.cfg.norm_topk_prob:
            weights = weights / weights.sum(dim=-1, keepdim=True)
        weights = weights.to(flat.dtype)
        out = torch.zeros_like(flat)
        for e in range(self.cfg.num_experts):
            token, slot = (experts == e).nonzero(as_tuple=True)
            if token.numel() == 0:
                continue
            xe = flat[token]
            ye = F.linear(F.silu(F.linear(xe, self.experts_gate[e])) * F.linear(xe, self.experts_up[e]),
                          self.experts_down[e])
            out.index_add_(0, token, ye * weights[token, slot, None])
        return out.view(b, t, c), router_logits, experts


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = SparseMoe(cfg)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        moe_out, router_logits, experts = self.mlp(self.post_attention_layernorm(x))
        return x + moe_out, router_logits, experts


class Qwen3MoeForCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.embed_tokens.weight
        self.reset_parameters()

    def reset_parameters(self, std=0.02):
        """HF initialisation: normal(0, initializer_range) for matrices, ones for norms."""
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, ids):
        """ids (B, T) -> logits (B, T, V) F32, per-layer router logits, per-layer top-k experts."""
        _, t = ids.shape
        cos, sin = rope_cos_sin(self.cfg, torch.arange(t))
        x = self.embed_tokens(ids)
        all_router_logits, all_experts = [], []
        for layer in self.layers:
            x, router_logits, experts = layer(x, cos, sin)
            all_router_logits.append(router_logits)
            all_experts.append(experts)
        logits = self.lm_head(self.norm(x)).float()
        return logits, all_router_logits, all_experts


def load_balancing_loss(router_logits, num_experts, top_k):
    """Switch/Mixtral auxiliary loss as HF computes it (all layers' tokens concatenated):
    E * sum_e f_e * P_e, f_e = share of top-k slots routed to e, P_e = mean router probability."""
    logits = torch.cat(router_logits, dim=0)
    probs = torch.softmax(logits, dim=-1, dtype=torch.float32)
    _, selected = torch.topk(probs, top_k, dim=-1)
    mask = F.one_hot(selected, num_experts).float()       # (N, k, E)
    tokens_per_expert = mask.mean(dim=0)                   # (k, E)
    prob_per_expert = probs.mean(dim=0)                    # (E,)
    return (tokens_per_expert * prob_per_expert[None, :]).sum() * num_experts
