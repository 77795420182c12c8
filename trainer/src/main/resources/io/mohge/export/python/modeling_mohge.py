# MoHGE-J export: the MoHGE causal language model in PyTorch (Apache-2.0, part of MoHGE-J).
"""MoHGE (Mixture of Heterogeneous Grouped Experts) causal LM, as exported by MoHGE-J.

The maths is a plain-PyTorch core that imports nothing but torch and the standard library:

    model = MohgeCausalLM.from_export("runs/mohge-tiny/export")
    tok = MohgeTokenizer.from_file("runs/mohge-tiny/export/tokenizer.json")
    ids = model.generate(tok.encode("The Commission"), max_new_tokens=64)
    print(tok.decode(ids[0].tolist()))

or from a shell: ``python3 modeling_mohge.py generate EXPORT_DIR --prompt "The Commission"``.
When transformers is installed, ``MohgeForCausalLM`` (PreTrainedModel + GenerationMixin) wraps the same
modules for ``AutoModelForCausalLM.from_pretrained(dir, trust_remote_code=True)``.

Conventions (config.json spells each out as a key; MoHGE-J's docs/method.md has the derivations):
  * weights [out, in] as nn.Linear, no biases; pre-norm blocks; RMSNorm x / sqrt(mean(x^2) + eps) * w
  * RoPE rotate-half (GPT-NeoX/Llama): dims j and j + hd/2 rotate by pos * theta^(-2j/hd); positions from 0
  * causal attention softmax(q k^T / sqrt(hd)) v; SwiGLU down(silu(gate x) * up x)
  * router: sigma = sigmoid|softmax(W_G u) over G groups; S = top group_top_k groups; p = sigma over S,
    renormalised over S when group_prob_renormalise (group_top_k > 1), p = sigma_g when group_top_k = 1;
    r = softmax of W_E u inside each group of N experts; q = r * p; TopK = top-k of q + expert_bias among the
    experts of S (the bias selects, it never enters a gate); gates: renormalise w = q / sum_TopK q, or
    reference w = softmax over TopK of q; y = sum_TopK w_e expert_e(u) + shared_experts(u)
  * ffn_type moe is the one-group case (no group router, p = 1, r = softmax over all experts)
  * inference is dropless (router_capacity_factor is a training-time limit)
"""
import array
import codecs
import json
import math
import os
import struct
import sys
import time
import unicodedata

import torch
import torch.nn as nn
import torch.nn.functional as F

TENSOR_NAME_SCHEME = "mohge-hf-v1"


# ----------------------------------------------------------------------------------------------- config

class MohgeSettings:
    """Model shape and conventions from an export's config.json (a dict); validated on construction."""

    def __init__(self, cfg):
        self._cfg = cfg
        self._expect("rope_layout", "rotate_half")
        self._expect("weight_layout", "out_in")
        self._expect("tensor_name_scheme", TENSOR_NAME_SCHEME)
        self.vocab_size = self._int("vocab_size")
        self.hidden_size = self._int("hidden_size")
        self.num_layers = self._int("num_hidden_layers")
        self.num_heads = self._int("num_attention_heads")
        if self._int("num_key_value_heads") != self.num_heads:
            raise self._bad("num_key_value_heads", "must equal num_attention_heads")
        self.head_dim = self._int("head_dim")
        if self.head_dim * self.num_heads != self.hidden_size or self.head_dim % 2:
            raise self._bad("head_dim", "must be even and equal hidden_size / num_attention_heads")
        self.rope_theta = float(self._get("rope_theta"))
        self.rms_norm_eps = float(self._get("rms_norm_eps"))
        self.attention_scale = float(cfg.get("attention_scale", 1.0 / math.sqrt(self.head_dim)))
        self.ffn_type = self._choice("ffn_type", ("dense", "moe", "mohge"))
        if self.ffn_type == "dense":
            self.intermediate_size = self._int("intermediate_size")
            return
        self.num_experts = self._int("num_experts")
        self.top_k = self._int("num_experts_per_tok")
        self.num_groups = self._int("num_expert_groups")
        self.experts_per_group = self._int("experts_per_group")
        self.group_top_k = self._int("group_top_k")
        if self.num_groups * self.experts_per_group != self.num_experts:
            raise self._bad("num_experts", "must equal num_expert_groups * experts_per_group")
        if not 1 <= self.group_top_k <= self.num_groups:
            raise self._bad("group_top_k", "must lie in 1..num_expert_groups")
        if not 1 <= self.top_k <= self.group_top_k * self.experts_per_group:
            raise self._bad("num_experts_per_tok", "must lie in 1..group_top_k * experts_per_group")
        self.expert_sizes = [int(w) for w in self._get("expert_intermediate_sizes")]
        if len(self.expert_sizes) != self.num_experts:
            raise self._bad("expert_intermediate_sizes", "needs one width per expert (%d)" % self.num_experts)
        self.group_score = self._choice("group_score_func", ("sigmoid", "softmax", "none"))
        self.group_prob_renormalise = bool(self._get("group_prob_renormalise"))
        self._expect("expert_score_func", "softmax_in_group")
        self.gate_mode = self._choice("gate_mode", ("renormalise", "reference"))
        self._expect("router_bias_use", "selection_only")
        self.has_expert_bias = bool(self._get("router_has_expert_bias"))
        self.shared_width = self._int("n_shared_experts") * int(cfg.get("shared_expert_intermediate_size") or 0)

    @classmethod
    def from_file(cls, path):
        with open(path, "r", encoding="utf-8") as f:
            return cls(json.load(f))

    def _get(self, key):
        if self._cfg.get(key) is None:
            raise self._bad(key, "missing")
        return self._cfg[key]

    def _int(self, key):
        value = self._get(key)
        if isinstance(value, bool) or int(value) != value:
            raise self._bad(key, "expected an integer, got %r" % (value,))
        return int(value)

    def _choice(self, key, allowed):
        value = self._get(key)
        if value not in allowed:
            raise self._bad(key, "%r is not one of %s" % (value, ", ".join(allowed)))
        return value

    def _expect(self, key, value):
        if self._get(key) != value:
            raise self._bad(key, "expected %r, got %r (not a %s export?)" % (value, self._cfg[key], TENSOR_NAME_SCHEME))

    @staticmethod
    def _bad(key, what):
        return ValueError("error: config.json key %s: %s" % (key, what))


# ----------------------------------------------------------------------------------------------- layers

class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):                                                   # [..., D]
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(positions, head_dim, theta, dtype):
    """positions [B, T] -> cos, sin [B, 1, T, hd] (angles in float64, then cast)."""
    inv_freq = theta ** (-2.0 * torch.arange(head_dim // 2, dtype=torch.float64) / head_dim)   # [hd/2]
    angles = positions.to(torch.float64).unsqueeze(-1) * inv_freq                              # [B, T, hd/2]
    angles = torch.cat([angles, angles], dim=-1)                                               # [B, T, hd]
    return angles.cos().to(dtype).unsqueeze(1), angles.sin().to(dtype).unsqueeze(1)


def rotate_half(x):                                                         # [..., hd]: [a, b] -> [-b, a]
    a, b = x.chunk(2, dim=-1)
    return torch.cat([-b, a], dim=-1)


class MohgeAttention(nn.Module):
    def __init__(self, s):
        super().__init__()
        d = s.hidden_size
        self.heads, self.head_dim, self.scale = s.num_heads, s.head_dim, s.attention_scale
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, x, cos, sin, mask, cache, layer_idx):
        b, t, d = x.shape                                                   # x [B, T, D]
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)   # [B, H, T, hd]
        k = self.k_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(k, v, layer_idx)                            # [B, H, S, hd]
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale          # [B, H, T, S]
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        context = torch.matmul(scores.softmax(-1), v)                       # [B, H, T, hd]
        return self.o_proj(context.transpose(1, 2).reshape(b, t, d))        # [B, T, D]


class SwiGLU(nn.Module):
    def __init__(self, d, width):
        super().__init__()
        self.gate_proj = nn.Linear(d, width, bias=False)
        self.up_proj = nn.Linear(d, width, bias=False)
        self.down_proj = nn.Linear(width, d, bias=False)

    def forward(self, x):                                                   # [..., D] -> [..., D]
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class MohgeRouter(nn.Module):
    """Two-level router (docs/method.md section 2); one group = the standard top-k softmax router."""

    def __init__(self, s):
        super().__init__()
        self.groups, self.per_group, self.group_top_k, self.top_k = (
            s.num_groups, s.experts_per_group, s.group_top_k, s.top_k)
        self.group_score, self.renormalise_groups, self.gate_mode = (
            s.group_score, s.group_prob_renormalise, s.gate_mode)
        self.group = nn.Linear(s.hidden_size, s.num_groups, bias=False) if s.num_groups > 1 else None
        self.expert = nn.Linear(s.hidden_size, s.num_experts, bias=False)
        if s.has_expert_bias:
            self.register_buffer("expert_bias", torch.zeros(s.num_experts))
        else:
            self.expert_bias = None

    def forward(self, u):
        """u [M, D] -> top [M, K] expert ids, weights [M, K], group logits [M, G] or None, group mask [M, G] or None."""
        m = u.shape[0]
        r = self.expert(u).view(m, self.groups, self.per_group).softmax(-1)          # [M, G, N]
        if self.group is None:
            q = r.reshape(m, -1)                                                       # [M, E], p = 1
            scores, group_logits, group_mask = q, None, None
        else:
            group_logits = self.group(u)                                               # [M, G]
            sigma = group_logits.sigmoid() if self.group_score == "sigmoid" else group_logits.softmax(-1)
            chosen = sigma.topk(self.group_top_k, dim=-1).indices                      # [M, K_g]
            group_mask = torch.zeros_like(sigma).scatter(-1, chosen, 1.0)              # [M, G]
            p = sigma * group_mask                                                     # [M, G]
            if self.renormalise_groups:
                p = p / p.sum(-1, keepdim=True)
            q = (r * p.unsqueeze(-1)).reshape(m, -1)                                   # [M, E]
            outside = (group_mask == 0).repeat_interleave(self.per_group, dim=1)       # [M, E]
            scores = q.masked_fill(outside, float("-inf"))
        if self.expert_bias is not None:
            scores = scores + self.expert_bias                                         # selection only
        top = scores.topk(self.top_k, dim=-1).indices                                  # [M, K]
        q_top = q.gather(-1, top)                                                      # [M, K]
        if self.gate_mode == "renormalise":
            weights = q_top / q_top.sum(-1, keepdim=True)
        else:
            weights = q_top.softmax(-1)
        return top, weights, group_logits, group_mask


def dispatch(u, top, weights, experts):
    """Sparse expert dispatch by sort + index_select + index_add: u [M, D], top/weights [M, K] -> [M, D]."""
    k = top.shape[1]
    expert_of, order = torch.sort(top.reshape(-1), stable=True)                       # [M*K]
    token = torch.div(order, k, rounding_mode="floor")                                 # [M*K]
    gate = weights.reshape(-1)[order].unsqueeze(-1)                                    # [M*K, 1]
    counts = torch.bincount(expert_of, minlength=len(experts)).tolist()
    out = torch.zeros_like(u)
    start = 0
    for e, n in enumerate(counts):
        if n:
            rows = token[start:start + n]
            out = out.index_add(0, rows, experts[e](u.index_select(0, rows)) * gate[start:start + n])
        start += n
    return out


class MohgeMoE(nn.Module):
    """Routed FFN: router, experts (logical order e = g*N + j), optional fused shared experts."""

    def __init__(self, s):
        super().__init__()
        self.router = MohgeRouter(s)
        self.experts = nn.ModuleList(SwiGLU(s.hidden_size, w) for w in s.expert_sizes)
        self.shared_experts = SwiGLU(s.hidden_size, s.shared_width) if s.shared_width > 0 else None
        self.keep_routing = False   # set True to keep the last routing (auxiliary losses in training)
        self.last_routing = None

    def forward(self, x):                                                   # [B, T, D]
        u = x.reshape(-1, x.shape[-1])                                      # [M, D]
        top, weights, group_logits, group_mask = self.router(u)
        y = dispatch(u, top, weights, self.experts)
        if self.shared_experts is not None:
            y = y + self.shared_experts(u)
        if self.keep_routing:
            self.last_routing = (top, weights, group_logits, group_mask)
        return y.view(x.shape)


class MohgeDecoderLayer(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.input_layernorm = RMSNorm(s.hidden_size, s.rms_norm_eps)
        self.self_attn = MohgeAttention(s)
        self.post_attention_layernorm = RMSNorm(s.hidden_size, s.rms_norm_eps)
        self.mlp = SwiGLU(s.hidden_size, s.intermediate_size) if s.ffn_type == "dense" else MohgeMoE(s)

    def forward(self, x, cos, sin, mask, cache, layer_idx):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache, layer_idx)
        return h + self.mlp(self.post_attention_layernorm(h))


class KVCache:
    """Keys and values per layer, [B, H, S, hd]; the interface of transformers' DynamicCache (update, length)."""

    def __init__(self):
        self.keys, self.values = [], []

    def update(self, k, v, layer_idx):
        if layer_idx == len(self.keys):
            self.keys.append(k)
            self.values.append(v)
        else:
            self.keys[layer_idx] = torch.cat([self.keys[layer_idx], k], dim=2)
            self.values[layer_idx] = torch.cat([self.values[layer_idx], v], dim=2)
        return self.keys[layer_idx], self.values[layer_idx]

    def get_seq_length(self, layer_idx=0):
        return self.keys[layer_idx].shape[2] if layer_idx < len(self.keys) else 0

    def to_legacy_cache(self):
        return tuple(zip(self.keys, self.values))

    @classmethod
    def from_legacy_cache(cls, past):
        cache = cls()
        for k, v in past or ():
            cache.keys.append(k)
            cache.values.append(v)
        return cache


class MohgeModel(nn.Module):
    """Embedding, decoder layers and final norm: input_ids [B, T] -> hidden states [B, T, D]."""

    def __init__(self, s):
        super().__init__()
        self.settings = s
        self.embed_tokens = nn.Embedding(s.vocab_size, s.hidden_size)
        self.layers = nn.ModuleList(MohgeDecoderLayer(s) for _ in range(s.num_layers))
        self.norm = RMSNorm(s.hidden_size, s.rms_norm_eps)

    def forward(self, input_ids, cache=None, attention_mask=None):
        """attention_mask [B, past + T] (1 = token, 0 = left padding) or None; cache: KVCache-like or None."""
        b, t = input_ids.shape
        past = cache.get_seq_length() if cache is not None else 0
        device = input_ids.device
        causal = torch.ones(t, past + t, dtype=torch.bool, device=device).tril(diagonal=past)   # [T, S]
        mask = causal.view(1, 1, t, past + t)
        if attention_mask is None:
            positions = torch.arange(past, past + t, device=device).unsqueeze(0).expand(b, t)   # [B, T]
        else:
            if attention_mask.shape != (b, past + t):
                raise ValueError("error: attention_mask has shape %s, expected [%d, %d] (cached + new tokens)"
                                 % (tuple(attention_mask.shape), b, past + t))
            keep = attention_mask.to(torch.bool)                                                # [B, S]
            positions = (keep.long().cumsum(-1) - 1).clamp(min=0)[:, past:]                     # [B, T]
            mask = mask & keep.view(b, 1, 1, past + t)
        x = self.embed_tokens(input_ids)                                                        # [B, T, D]
        cos, sin = rope_tables(positions, self.settings.head_dim, self.settings.rope_theta, x.dtype)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, cache, i)
        return self.norm(x)


# ----------------------------------------------------------------------------------------------- model

def sample_next(logits, temperature=0.0, top_k=0, top_p=1.0, generator=None):
    """logits [B, V] -> next ids [B]. temperature 0: argmax (ties: lowest id). Otherwise softmax(logits / T)
    restricted to the top_k most likely ids (0 = all), then to the smallest most-likely set whose probability
    reaches top_p (1.0 = all), renormalised, one torch.multinomial draw."""
    if temperature <= 0:
        return logits.argmax(-1)
    logits = logits.float() / temperature
    if top_k > 0:
        kth = logits.topk(min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p < 1.0:
        sorted_logits, order = logits.sort(dim=-1, descending=True)
        probs = sorted_logits.softmax(-1)
        drop_sorted = probs.cumsum(-1) - probs >= top_p                   # mass before the token already >= p
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return torch.multinomial(logits.softmax(-1), 1, generator=generator).squeeze(-1)


class MohgeCausalLM(nn.Module):
    """The whole model in plain PyTorch; state-dict names are the export's tensor names."""

    def __init__(self, settings):
        super().__init__()
        self.settings = settings
        self.model = MohgeModel(settings)
        self.lm_head = nn.Linear(settings.hidden_size, settings.vocab_size, bias=False)

    def forward(self, input_ids, cache=None, attention_mask=None):          # [B, T] -> logits [B, T, V]
        return self.lm_head(self.model(input_ids, cache=cache, attention_mask=attention_mask))

    @classmethod
    def from_export(cls, path, dtype=torch.float32):
        """Loads an export directory (config.json + model.safetensors) for inference."""
        model = cls(MohgeSettings.from_file(os.path.join(path, "config.json")))
        weights = read_safetensors(os.path.join(path, "model.safetensors"))
        missing = sorted(set(model.state_dict()) - set(weights))
        unknown = sorted(set(weights) - set(model.state_dict()))
        if missing or unknown:
            raise ValueError("error: %s does not fit config.json (missing %s, unknown %s)"
                             % (os.path.join(path, "model.safetensors"), missing, unknown))
        model.load_state_dict({k: v.float() for k, v in weights.items()})
        return model.to(dtype).eval()

    @torch.no_grad()
    def generate(self, input_ids, max_new_tokens=64, temperature=0.0, top_k=0, top_p=1.0, seed=None,
                 eos_token_id=None, on_token=None):
        """Continues input_ids (list of ids or LongTensor [B, T]) with a KV cache: the prompt runs once, every new
        token costs one position. Stops after max_new_tokens or when every row produced eos_token_id.
        on_token(ids [B]) is called for each new token. Returns LongTensor [B, T + new]."""
        ids = torch.as_tensor(input_ids, dtype=torch.long)
        ids = ids.unsqueeze(0) if ids.dim() == 1 else ids
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        cache = KVCache()
        logits = self(ids, cache=cache)[:, -1, :]                                             # [B, V]
        done = torch.zeros(ids.shape[0], dtype=torch.bool)
        out = [ids]
        for step in range(max_new_tokens):
            if step > 0:
                logits = self(out[-1], cache=cache)[:, -1, :]
            nxt = sample_next(logits, temperature, top_k, top_p, generator)                   # [B]
            if eos_token_id is not None:
                nxt = torch.where(done, torch.full_like(nxt, eos_token_id), nxt)
                done = done | (nxt == eos_token_id)
            out.append(nxt.unsqueeze(-1))
            if on_token is not None:
                on_token(nxt)
            if eos_token_id is not None and bool(done.all()):
                break
        return torch.cat(out, dim=1)


# ----------------------------------------------------------------------------------------------- files

_SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """name -> tensor from a .safetensors file: 8-byte little-endian header length, JSON header, raw data."""
    if sys.byteorder != "little":
        raise RuntimeError("error: reading safetensors needs a little-endian machine")
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError("error: %s is too short for a safetensors file" % path)
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise ValueError("error: %s: header length %d exceeds the file (truncated?)" % (path, n))
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ValueError("error: %s: tensor %s has dtype %s; F32, F16 and BF16 are supported"
                             % (path, name, info["dtype"]))
        begin, end = info["data_offsets"]
        raw = bytearray(blob[8 + n + begin:8 + n + end])
        flat = torch.frombuffer(raw, dtype=_SAFETENSORS_DTYPES[info["dtype"]]) if raw else torch.empty(0)
        out[name] = flat.reshape(info["shape"]).clone()
    return out


def _byte_chars():
    """GPT-2's byte -> printable character table (as in the tokenizers ByteLevel pre-tokenizer)."""
    chars, extra = [], 0
    for b in range(256):
        if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255:
            chars.append(chr(b))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    return chars


_JAVA_WHITESPACE = " \t\n\x0b\f\r"


def _char_class(c):
    if c in _JAVA_WHITESPACE:
        return "s"
    cat = unicodedata.category(c)
    return "L" if cat[0] == "L" else "N" if cat[0] == "N" else "o"


def pretokenize(text):
    """MoHGE-J's BPE pretokenizer: ` ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+` with Java's ASCII \\s."""
    chunks, i, n = [], 0, len(text)
    while i < n:
        start = i
        if text[i] == " " and i + 1 < n and _char_class(text[i + 1]) != "s":
            i += 1                                      # an optional space joins the run that follows
        cls = _char_class(text[i])
        while i < n and _char_class(text[i]) == cls:
            i += 1
        chunks.append(text[start:i])
    return chunks


class MohgeTokenizer:
    """Pure-Python encode/decode of an export's tokenizer.json (MoHGE-J byte-level or BPE tokenizer)."""

    def __init__(self, token_bytes, merges, split):
        self.token_bytes = token_bytes                  # id -> bytes
        self.ranks = {}                                 # (left id, right id) -> (rank, merged id)
        self.pairs = [tuple(m) for m in merges]         # rank -> (left id, right id)
        by_bytes = {b: i for i, b in enumerate(token_bytes)}
        for rank, (a, b) in enumerate(merges):
            self.ranks[(a, b)] = (rank, by_bytes[token_bytes[a] + token_bytes[b]])
        self.split = split
        self.byte_ids = [by_bytes[bytes([b])] for b in range(256)]

    @classmethod
    def from_file(cls, path):
        with open(path, "r", encoding="utf-8") as f:
            spec = json.load(f)
        model = spec["model"]
        if model.get("type") != "BPE":
            raise ValueError("error: %s: model type %r, expected BPE" % (path, model.get("type")))
        to_byte = {c: b for b, c in enumerate(_byte_chars())}
        vocab = model["vocab"]
        token_bytes = [b""] * len(vocab)
        for s, i in vocab.items():
            token_bytes[i] = bytes(to_byte[c] for c in s)
        ids = {s: i for s, i in vocab.items()}
        merges = []
        for m in model["merges"]:
            left, right = m.split(" ") if isinstance(m, str) else m
            merges.append((ids[left], ids[right]))
        pre = spec.get("pre_tokenizer") or {}
        steps = pre.get("pretokenizers", [pre])
        return cls(token_bytes, merges, any(step.get("type") == "Split" for step in steps))

    def encode(self, text):
        out = []
        for chunk in pretokenize(text) if self.split else [text]:
            out.extend(self._encode_chunk(chunk))
        return out

    def _encode_chunk(self, chunk):
        sym = [self.byte_ids[b] for b in chunk.encode("utf-8")]
        while len(sym) > 1:
            best = min((self.ranks[p] for p in zip(sym, sym[1:]) if p in self.ranks), default=None)
            if best is None:
                return sym
            rank, merged = best
            pair, merged_sym, i = self.pairs[rank], [], 0
            while i < len(sym):                         # every occurrence, left to right
                if i + 1 < len(sym) and (sym[i], sym[i + 1]) == pair:
                    merged_sym.append(merged)
                    i += 2
                else:
                    merged_sym.append(sym[i])
                    i += 1
            sym = merged_sym
        return sym

    def decode(self, ids):
        return b"".join(self.token_bytes[i] for i in ids).decode("utf-8", errors="replace")


# ----------------------------------------------------------------------------------------------- transformers

# Defined only when transformers imports; the core above never needs it.
try:
    from transformers import PreTrainedModel
    from transformers.modeling_outputs import CausalLMOutputWithPast
except ImportError:
    PreTrainedModel = None

if PreTrainedModel is not None:
    try:
        from transformers import GenerationMixin
    except ImportError:
        from transformers.generation import GenerationMixin
    try:
        from transformers.cache_utils import DynamicCache
    except ImportError:
        DynamicCache = KVCache
    try:
        from .configuration_mohge import MohgeConfig           # loaded as a package (trust_remote_code)
    except ImportError:                                        # loaded as a plain module from the export directory
        import importlib.util
        _spec = importlib.util.spec_from_file_location(
            "configuration_mohge", os.path.join(os.path.dirname(os.path.abspath(__file__)), "configuration_mohge.py"))
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
        MohgeConfig = _module.MohgeConfig

    class MohgePreTrainedModel(PreTrainedModel):
        config_class = MohgeConfig
        base_model_prefix = "model"
        _no_split_modules = ["MohgeDecoderLayer"]
        _supports_cache_class = True

        def _init_weights(self, module):
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, mean=0.0, std=self.config.initializer_range)
            elif isinstance(module, RMSNorm):
                nn.init.ones_(module.weight)
            elif isinstance(module, MohgeRouter) and module.expert_bias is not None:
                nn.init.zeros_(module.expert_bias)

    class MohgeForCausalLM(MohgePreTrainedModel, GenerationMixin):
        """transformers wrapper around the core modules (same state-dict names as MohgeCausalLM)."""

        def __init__(self, config):
            super().__init__(config)
            settings = MohgeSettings(config.to_dict())
            self.model = MohgeModel(settings)
            self.lm_head = nn.Linear(settings.hidden_size, settings.vocab_size, bias=False)
            self.post_init()

        def get_input_embeddings(self):
            return self.model.embed_tokens

        def set_input_embeddings(self, value):
            self.model.embed_tokens = value

        def get_output_embeddings(self):
            return self.lm_head

        def set_output_embeddings(self, value):
            self.lm_head = value

        def forward(self, input_ids=None, attention_mask=None, past_key_values=None, labels=None, use_cache=None,
                    return_dict=None, **kwargs):
            if input_ids is None:
                raise ValueError("error: MohgeForCausalLM needs input_ids (inputs_embeds is not supported)")
            use_cache = self.config.use_cache if use_cache is None else use_cache
            legacy = isinstance(past_key_values, (tuple, list))
            cache = KVCache.from_legacy_cache(past_key_values) if legacy else past_key_values
            if cache is None and use_cache:
                cache = DynamicCache()
            logits = self.lm_head(self.model(input_ids, cache=cache, attention_mask=attention_mask))
            loss = None
            if labels is not None:
                loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(),
                                       labels[:, 1:].reshape(-1), ignore_index=-100)
            past = (cache.to_legacy_cache() if legacy else cache) if use_cache else None
            return CausalLMOutputWithPast(loss=loss, logits=logits, past_key_values=past)

        def prepare_inputs_for_generation(self, input_ids, past_key_values=None, attention_mask=None,
                                          use_cache=True, **kwargs):
            if isinstance(past_key_values, (tuple, list)):
                cached = past_key_values[0][0].shape[2] if past_key_values else 0
            else:
                cached = past_key_values.get_seq_length() if past_key_values is not None else 0
            return {"input_ids": input_ids[:, cached:], "past_key_values": past_key_values,
                    "attention_mask": attention_mask, "use_cache": use_cache}


# ----------------------------------------------------------------------------------------------- command line

def _main(argv):
    import argparse
    parser = argparse.ArgumentParser(prog="modeling_mohge.py", description="Run a MoHGE-J export with plain PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="continue a prompt, streaming the text")
    gen.add_argument("export_dir")
    gen.add_argument("--prompt", help="text prompt (default: standard input)")
    gen.add_argument("--prompt-ids", help="comma-separated token ids instead of text")
    gen.add_argument("--max-new-tokens", type=int, default=64)
    gen.add_argument("--temperature", type=float, default=0.0, help="0 = greedy")
    gen.add_argument("--top-k", type=int, default=0)
    gen.add_argument("--top-p", type=float, default=1.0)
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--no-stop", action="store_true", help="do not stop at the end-of-document token")
    gen.add_argument("--print-ids", action="store_true", help="print the generated ids as JSON instead of text")
    logits = sub.add_parser("logits", help="write float32 logits [B, T, V] of a JSON [B][T] id batch")
    logits.add_argument("export_dir")
    logits.add_argument("--tokens", required=True, help="JSON file holding [[id, ...], ...]")
    logits.add_argument("--out", required=True, help="output file, little-endian float32")
    args = parser.parse_args(argv)

    model = MohgeCausalLM.from_export(args.export_dir)
    if args.command == "logits":
        with open(args.tokens, "r", encoding="utf-8") as f:
            batch = torch.tensor(json.load(f), dtype=torch.long)
        with torch.no_grad():
            values = model(batch).float().contiguous()
        with open(args.out, "wb") as f:
            f.write(array.array("f", values.flatten().tolist()).tobytes())
        return 0

    tok = MohgeTokenizer.from_file(os.path.join(args.export_dir, "tokenizer.json"))
    if args.prompt_ids:
        prompt = [int(x) for x in args.prompt_ids.split(",")]
    else:
        prompt = tok.encode(args.prompt if args.prompt is not None else sys.stdin.read())
    with open(os.path.join(args.export_dir, "generation_config.json"), "r", encoding="utf-8") as f:
        eos = None if args.no_stop else json.load(f).get("eos_token_id")
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    stream = None
    if not args.print_ids:
        sys.stdout.write(tok.decode(prompt))

        def stream(ids):
            sys.stdout.write(decoder.decode(tok.token_bytes[int(ids[0])]))
            sys.stdout.flush()
    start = time.perf_counter()
    out = model.generate(prompt, args.max_new_tokens, args.temperature, args.top_k, args.top_p, args.seed, eos, stream)
    seconds = time.perf_counter() - start
    new = out.shape[1] - len(prompt)
    if args.print_ids:
        print(json.dumps(out[0, len(prompt):].tolist()))
    else:
        sys.stdout.write(decoder.decode(b"", final=True) + "\n")
    sys.stderr.write("%d new tokens in %.2f s (%.1f tokens/s, prompt %d tokens)\n"
                     % (new, seconds, new / seconds if seconds > 0 else float("nan"), len(prompt)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
