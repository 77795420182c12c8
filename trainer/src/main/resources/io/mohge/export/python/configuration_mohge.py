# MoHGE-J export: transformers configuration class (Apache-2.0, part of MoHGE-J).
"""MohgeConfig for ``AutoConfig.from_pretrained(dir, trust_remote_code=True)``.

Only needed with transformers; the plain-PyTorch core in modeling_mohge.py reads config.json itself
(``MohgeSettings``), which validates every key below. The keys and their meaning are listed in config.json's
``conventions`` object and in MoHGE-J's docs/export.md.
"""
try:
    from transformers import PretrainedConfig
except ImportError:
    try:
        from transformers import PreTrainedConfig as PretrainedConfig
    except ImportError:
        PretrainedConfig = None

if PretrainedConfig is not None:

    class MohgeConfig(PretrainedConfig):
        model_type = "mohge"
        keys_to_ignore_at_inference = ["past_key_values"]

        def __init__(self, vocab_size=256, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=None, head_dim=None, max_position_embeddings=128, rope_theta=10000.0,
                     rope_layout="rotate_half", attention_scale=None, rms_norm_eps=1e-6, initializer_range=0.02,
                     ffn_type="mohge", intermediate_size=None, num_experts=8, num_experts_per_tok=2,
                     num_expert_groups=4, experts_per_group=2, group_top_k=2, expert_intermediate_sizes=None,
                     group_score_func="sigmoid", group_prob_renormalise=True, expert_score_func="softmax_in_group",
                     gate_mode="renormalise", router_has_expert_bias=False, router_bias_use="selection_only",
                     n_shared_experts=0, shared_expert_intermediate_size=0, router_capacity_factor=0.0,
                     weight_layout="out_in", tensor_name_scheme="mohge-hf-v1", use_cache=True,
                     tie_word_embeddings=False, **kwargs):
            self.vocab_size = vocab_size
            self.hidden_size = hidden_size
            self.num_hidden_layers = num_hidden_layers
            self.num_attention_heads = num_attention_heads
            self.num_key_value_heads = num_key_value_heads or num_attention_heads
            self.head_dim = head_dim or hidden_size // num_attention_heads
            self.max_position_embeddings = max_position_embeddings
            self.rope_theta = rope_theta
            self.rope_layout = rope_layout
            self.attention_scale = attention_scale or self.head_dim ** -0.5
            self.rms_norm_eps = rms_norm_eps
            self.initializer_range = initializer_range
            self.ffn_type = ffn_type
            self.intermediate_size = intermediate_size
            self.num_experts = num_experts
            self.num_experts_per_tok = num_experts_per_tok
            self.num_expert_groups = num_expert_groups
            self.experts_per_group = experts_per_group
            self.group_top_k = group_top_k
            self.expert_intermediate_sizes = expert_intermediate_sizes
            self.group_score_func = group_score_func
            self.group_prob_renormalise = group_prob_renormalise
            self.expert_score_func = expert_score_func
            self.gate_mode = gate_mode
            self.router_has_expert_bias = router_has_expert_bias
            self.router_bias_use = router_bias_use
            self.n_shared_experts = n_shared_experts
            self.shared_expert_intermediate_size = shared_expert_intermediate_size
            self.router_capacity_factor = router_capacity_factor
            self.weight_layout = weight_layout
            self.tensor_name_scheme = tensor_name_scheme
            self.use_cache = use_cache
            super().__init__(tie_word_embeddings=tie_word_embeddings, **kwargs)
