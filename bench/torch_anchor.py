#!/usr/bin/env python3
"""PyTorch training-speed anchor for `mohge bench`: trains the export's plain-PyTorch core model
(trainer/src/main/resources/io/mohge/export/python/modeling_mohge.py, the same code that serves exports) with
MoHGE-J's config semantics and prints one JSON line with the median training tokens/s.

What one step does, as MoHGE-J's trainer: random tokens [B, T + 1] -> forward (sparse expert dispatch by
sort + index_select + index_add) -> LM cross-entropy + group-wise and intra-group auxiliary losses
(docs/method.md sections 3-4) -> backward -> global-norm clipping -> AdamW (norm gains not decayed), fp32.
One thread by default. Timing covers whole steps after the warm-up steps; tokens/s = B * T / step time.
The JSON names the BLAS library in use: Debian's python3-torch calls whatever libblas.so.3 points to, and the
reference BLAS (package libblas3) is about 10x slower than OpenBLAS (package libopenblas0-pthread).

    /usr/bin/python3 bench/torch_anchor.py --ffn mohge
    /usr/bin/python3 bench/torch_anchor.py --config '{"model": {...}, "trainer": {...}, "losses": {...}}'

--config takes the run config's model / trainer / losses sections with their YAML key names (what
`mohge train --print-config` shows); keys left out take the values of configs/mohge-tiny.yaml, and --ffn picks
the FFN of the shipped ablation baselines (dense width 512, MoE 8 x 256 top-2, MoHGE 4 x 2 widths 128..320).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = os.path.join(HERE, "..", "trainer", "src", "main", "resources", "io", "mohge", "export", "python")

# configs/mohge-tiny.yaml (model, trainer, losses) with the defaults of the keys it leaves out.
TINY = {
    "model": {"vocab_size": 256, "d_model": 128, "n_layers": 2, "n_heads": 4, "seq_len": 128,
              "rope_theta": 10000.0, "norm_eps": 1e-6, "init_std": 0.02, "ffn": "mohge",
              "dense": {"width": 512}, "moe": {"experts": 8, "width": 256, "top_k": 2},
              "mohge": {"groups": 4, "experts_per_group": 2, "widths": [128, 192, 256, 320], "group_top_k": 2,
                        "top_k": 2, "group_score": "sigmoid", "gate_mode": "renormalise"},
              "shared": {"count": 0, "width": 0}, "router": {"capacity_factor": 0.0, "bias_update_rate": 0.0}},
    "trainer": {"batch_size": 16, "lr": 3e-3, "weight_decay": 0.1, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8,
                "clip_norm": 1.0},
    "losses": {"group_coef": 1e-3, "group_interval": 256, "intra_coef": 3e-3},
}


def merge(base, override):
    out = dict(base)
    for key, value in override.items():
        if key not in base:
            raise SystemExit("error: unknown config key %r; allowed: %s" % (key, ", ".join(sorted(base))))
        out[key] = merge(base[key], value) if isinstance(base[key], dict) else value
    return out


def export_config(m):
    """The model section in the keys of an export's config.json (what modeling_mohge.MohgeSettings reads)."""
    cfg = {"vocab_size": m["vocab_size"], "hidden_size": m["d_model"], "num_hidden_layers": m["n_layers"],
           "num_attention_heads": m["n_heads"], "num_key_value_heads": m["n_heads"],
           "head_dim": m["d_model"] // m["n_heads"], "rope_theta": m["rope_theta"], "rms_norm_eps": m["norm_eps"],
           "rope_layout": "rotate_half", "weight_layout": "out_in", "tensor_name_scheme": "mohge-hf-v1",
           "ffn_type": m["ffn"]}
    if m["ffn"] == "dense":
        cfg["intermediate_size"] = m["dense"]["width"]
        return cfg
    if m["ffn"] == "moe":
        groups, per_group, group_top_k, top_k = 1, m["moe"]["experts"], 1, m["moe"]["top_k"]
        widths, score, gate = [m["moe"]["width"]], "none", "renormalise"
    else:
        h = m["mohge"]
        groups, per_group, group_top_k, top_k = h["groups"], h["experts_per_group"], h["group_top_k"], h["top_k"]
        widths, score, gate = h["widths"], h["group_score"], h["gate_mode"]
    cfg.update({"num_experts": groups * per_group, "num_experts_per_tok": top_k, "num_expert_groups": groups,
                "experts_per_group": per_group, "group_top_k": group_top_k,
                "expert_intermediate_sizes": [w for w in widths for _ in range(per_group)],
                "group_score_func": score, "group_prob_renormalise": group_top_k > 1,
                "expert_score_func": "softmax_in_group", "gate_mode": gate,
                "router_has_expert_bias": m["router"]["bias_update_rate"] > 0, "router_bias_use": "selection_only",
                "n_shared_experts": m["shared"]["count"],
                "shared_expert_intermediate_size": m["shared"]["width"]})
    return cfg


def aux_losses(torch, layer, settings, losses, tokens):
    """Group-wise and intra-group losses of one routed layer (docs/method.md sections 3 and 4)."""
    top, weights, group_logits, group_mask = layer.last_routing
    e, k, n = settings.num_experts, settings.top_k, settings.experts_per_group
    kg, g = settings.group_top_k, settings.num_groups
    gates = torch.zeros(tokens, e).scatter(1, top, weights)                                   # [M, E]
    load = torch.zeros(e).index_add(0, top.reshape(-1), torch.ones(top.numel()))              # n_e
    total = losses["intra_coef"] * (n * kg) * (gates.mean(0) * load.detach() / (tokens * k)).sum()
    if group_logits is not None and losses["group_coef"] > 0:
        sizes = settings.expert_sizes[::n]
        d = losses["group_interval"]
        cost = torch.tensor([(s - min(sizes) + d) / d for s in sizes])                        # c_g
        share = group_mask.sum(0) / (tokens * kg)                                             # f_g
        total = total + losses["group_coef"] * g * (cost * group_logits.softmax(-1).mean(0) * share).sum()
    return total


def blas_library():
    """The BLAS shared library this process has loaded (Debian's torch uses whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps", "r") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.split()[-1]}
    except OSError:
        return "unknown"
    resolved = sorted({os.path.realpath(p) for p in paths})
    return ", ".join(resolved) if resolved else "none mapped"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ffn", choices=["dense", "moe", "mohge"], help="FFN of the run (default: the config's)")
    parser.add_argument("--config", default="{}", help="JSON overrides: {model, trainer, losses} in YAML key names")
    parser.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--core", default=CORE, help="directory holding modeling_mohge.py")
    args = parser.parse_args(argv)

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # BLAS pools too, before torch loads
        os.environ[var] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    sys.path.insert(0, args.core)
    import modeling_mohge

    run = merge(TINY, json.loads(args.config))
    if args.ffn:
        run["model"]["ffn"] = args.ffn
    m, tr = run["model"], run["trainer"]
    settings = modeling_mohge.MohgeSettings(export_config(m))
    model = modeling_mohge.MohgeCausalLM(settings)
    for name, p in model.named_parameters():
        if p.dim() == 2:
            torch.nn.init.normal_(p, 0.0, m["init_std"])
    routed = [layer.mlp for layer in model.model.layers if isinstance(layer.mlp, modeling_mohge.MohgeMoE)]
    for layer in routed:
        layer.keep_routing = True
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tr["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=tr["lr"], betas=(tr["beta1"], tr["beta2"]), eps=tr["eps"])
    b, t, v = tr["batch_size"], m["seq_len"], m["vocab_size"]
    gen = torch.Generator().manual_seed(args.seed)
    times, loss = [], float("nan")
    for step in range(args.warmup + args.steps):
        batch = torch.randint(0, v, (b, t + 1), generator=gen)
        start = time.perf_counter()
        logits = model(batch[:, :-1])                                                          # [B, T, V]
        lm = torch.nn.functional.cross_entropy(logits.reshape(-1, v), batch[:, 1:].reshape(-1))
        total = lm + sum((aux_losses(torch, layer, settings, run["losses"], b * t) for layer in routed),
                         torch.zeros(()))
        opt.zero_grad(set_to_none=True)
        total.backward()
        if tr["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), tr["clip_norm"])
        opt.step()
        elapsed = time.perf_counter() - start
        loss = float(lm)
        if step >= args.warmup:
            times.append(elapsed)
    rates = [b * t / s for s in times]
    blas = blas_library()
    if "openblas" not in blas and "mkl" not in blas:
        sys.stderr.write("warning: torch runs on %s; Debian's reference BLAS is about 10x slower than OpenBLAS "
                         "(apt-get install libopenblas0-pthread)\n" % blas)
    print(json.dumps({
        "impl": "pytorch-eager", "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas,
        "ffn": m["ffn"],
        "batch_size": b, "seq_len": t, "params": sum(p.numel() for p in model.parameters()),
        "warmup_steps": args.warmup, "timed_steps": len(times), "median_step_s": round(statistics.median(times), 5),
        "tokens_per_s": round(statistics.median(rates), 1), "min_tokens_per_s": round(min(rates), 1),
        "max_tokens_per_s": round(max(rates), 1), "last_lm_loss": round(loss, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
