package io.mohge.export;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;

import java.util.List;
import java.util.Locale;

/**
 * The {@code config.json} of an export: Hugging Face key names where transformers has one (Llama / Mixtral /
 * DeepSeek), plus one key per MoHGE convention, so that a port can be written from this file and
 * {@code modeling_mohge.py} alone. {@link HfConfigReader} turns it back into a {@link ModelConfig}.
 *
 * <p>Conventions spelled out as keys (the {@code conventions} object repeats them in words):
 * <ul>
 *   <li>{@code rope_layout: rotate_half}: GPT-NeoX / Llama RoPE, dimension j pairs with j + head_dim/2,
 *       frequency {@code rope_theta^(-2j/head_dim)}, positions 0, 1, ... from the first token.</li>
 *   <li>{@code attention_scale} = 1/sqrt(head_dim), causal, no biases anywhere.</li>
 *   <li>{@code mlp_type: swiglu}: {@code down(silu(gate x) * up x)}.</li>
 *   <li>Router: {@code group_score_func} (sigmoid | softmax) of {@code mlp.router.group}, top
 *       {@code group_top_k} groups, {@code group_prob_renormalise} (p renormalised over the selected groups;
 *       false when group_top_k = 1: p = sigma_g, docs/method.md section 2), {@code expert_score_func:
 *       softmax_in_group} (r = softmax inside each group), q = r * p, top {@code num_experts_per_tok} of
 *       q + expert_bias among experts of selected groups; {@code router_bias_use: selection_only}.</li>
 *   <li>{@code gate_mode}: renormalise (w = q / sum_TopK q) or reference (w = softmax over TopK of q).</li>
 *   <li>{@code expert_intermediate_sizes}: one width per expert (logical order e = g*N + j).</li>
 *   <li>{@code n_shared_experts} x {@code shared_expert_intermediate_size}, stored fused as one SwiGLU
 *       {@code mlp.shared_experts} of width n x size (the same function as the sum of the n experts).</li>
 *   <li>{@code router_capacity_factor} applies in training only; inference is dropless.</li>
 * </ul>
 * An {@code ffn_type: moe} model is the one-group case: r = softmax over all experts, renormalised gates.
 */
public final class HfConfig {

    public static final String ARCHITECTURE = "MohgeForCausalLM";
    public static final String MODEL_TYPE = "mohge";
    /** Token that ends every document in our shards (the newline byte): generation stops there by default. */
    public static final int END_OF_DOCUMENT = 10;

    private HfConfig() { }

    public static JsonObject of(ModelConfig m, DType dtype, String tokenizerKind, long step) {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(ARCHITECTURE);
        o.add("architectures", arch);
        o.addProperty("model_type", MODEL_TYPE);
        JsonObject autoMap = new JsonObject();
        autoMap.addProperty("AutoConfig", "configuration_mohge.MohgeConfig");
        autoMap.addProperty("AutoModelForCausalLM", "modeling_mohge.MohgeForCausalLM");
        o.add("auto_map", autoMap);
        o.addProperty("vocab_size", m.vocabSize());
        o.addProperty("hidden_size", m.dModel());
        o.addProperty("num_hidden_layers", m.nLayers());
        o.addProperty("num_attention_heads", m.nHeads());
        o.addProperty("num_key_value_heads", m.nHeads());
        o.addProperty("head_dim", m.headSize());
        o.addProperty("max_position_embeddings", m.seqLen());
        o.addProperty("rope_theta", m.ropeTheta());
        o.add("rope_scaling", JsonNull.INSTANCE);
        o.addProperty("rope_layout", "rotate_half");
        o.addProperty("attention_scale", 1.0 / Math.sqrt(m.headSize()));
        o.addProperty("attention_bias", false);
        o.addProperty("mlp_bias", false);
        o.addProperty("rms_norm_eps", m.normEps());
        o.addProperty("hidden_act", "silu");
        o.addProperty("mlp_type", "swiglu");
        o.addProperty("initializer_range", m.initStd());
        o.addProperty("torch_dtype", torchDtype(dtype));
        o.addProperty("tie_word_embeddings", false);
        o.addProperty("use_cache", true);
        o.add("bos_token_id", JsonNull.INSTANCE);
        o.addProperty("eos_token_id", END_OF_DOCUMENT);
        o.add("pad_token_id", JsonNull.INSTANCE);
        o.addProperty("tokenizer_kind", tokenizerKind);
        o.addProperty("ffn_type", m.ffn().name().toLowerCase(Locale.ROOT));
        if (m.ffn() == ModelConfig.FfnType.DENSE) {
            o.addProperty("intermediate_size", m.dense().width());
        } else {
            routed(o, m);
        }
        o.addProperty("weight_layout", "out_in");
        o.addProperty("tensor_name_scheme", TensorNames.SCHEME);
        o.addProperty("mohge_training_step", step);
        o.add("conventions", conventions(m));
        return o;
    }

    private static void routed(JsonObject o, ModelConfig m) {
        boolean mohge = m.ffn() == ModelConfig.FfnType.MOHGE;
        int groups = mohge ? m.mohge().groups() : 1;
        int perGroup = mohge ? m.mohge().expertsPerGroup() : m.moe().experts();
        int groupTopK = mohge ? m.mohge().groupTopK() : 1;
        List<Integer> groupWidths = mohge ? m.mohge().widths() : List.of(m.moe().width());
        o.addProperty("num_experts", groups * perGroup);
        o.addProperty("num_experts_per_tok", mohge ? m.mohge().topK() : m.moe().topK());
        o.addProperty("num_expert_groups", groups);
        o.addProperty("experts_per_group", perGroup);
        o.addProperty("group_top_k", groupTopK);
        JsonArray perExpert = new JsonArray();
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < perGroup; j++) perExpert.add(groupWidths.get(g));
        }
        o.add("expert_intermediate_sizes", perExpert);
        JsonArray perGroupWidths = new JsonArray();
        groupWidths.forEach(perGroupWidths::add);
        o.add("group_intermediate_sizes", perGroupWidths);
        o.addProperty("group_score_func", mohge ? m.mohge().groupScore().name().toLowerCase(Locale.ROOT) : "none");
        o.addProperty("group_prob_renormalise", groupTopK > 1);
        o.addProperty("expert_score_func", "softmax_in_group");
        o.addProperty("gate_mode", mohge ? m.mohge().gateMode().name().toLowerCase(Locale.ROOT) : "renormalise");
        o.addProperty("router_has_expert_bias", m.router().biasUpdateRate() > 0);
        o.addProperty("router_bias_use", "selection_only");
        o.addProperty("n_shared_experts", m.shared().count());
        o.addProperty("shared_expert_intermediate_size", m.shared().width());
        o.addProperty("router_capacity_factor", m.router().capacityFactor());
        o.addProperty("router_capacity_factor_scope", "training_only");
        o.addProperty("router_bias_update_rate", m.router().biasUpdateRate());
        o.addProperty("expert_order", "logical");
    }

    private static JsonObject conventions(ModelConfig m) {
        JsonObject c = new JsonObject();
        c.addProperty("weights", "every matrix [out, in] as in torch.nn.Linear; y = x W^T; no biases");
        c.addProperty("embedding", "model.embed_tokens.weight [vocab, hidden]; lm_head.weight is a separate matrix "
                + "(tie_word_embeddings false)");
        c.addProperty("norm", "RMSNorm: x / sqrt(mean(x^2) + rms_norm_eps) * weight, pre-norm residual blocks");
        c.addProperty("rope", "rotate_half (GPT-NeoX/Llama): x*cos + rotate_half(x)*sin, rotate_half([a, b]) = [-b, a] "
                + "per head; angle(pos, j) = pos * rope_theta^(-2j/head_dim) for j < head_dim/2, used for j and "
                + "j + head_dim/2; positions count from 0 at the first token");
        c.addProperty("attention", "causal softmax(q k^T * attention_scale) v, attention_scale = 1/sqrt(head_dim), "
                + "num_key_value_heads = num_attention_heads");
        c.addProperty("mlp", "SwiGLU: down_proj(silu(gate_proj(x)) * up_proj(x))");
        if (m.ffn() != ModelConfig.FfnType.DENSE) {
            c.addProperty("router", "a = router.group(u) [G]; sigma = group_score_func(a); S = top group_top_k of "
                    + "sigma; p_g = sigma_g / sum_{g' in S} sigma_g' for g in S (group_prob_renormalise true) or "
                    + "p_g = sigma_g (false, used when group_top_k = 1), 0 outside S; b = router.expert(u) [E] viewed "
                    + "[G, N]; r = softmax over each group's N experts; q = r * p; TopK = top num_experts_per_tok of "
                    + "q + expert_bias over experts of groups in S. With num_expert_groups = 1 there is no group "
                    + "router: p = 1, r = softmax over all experts");
            c.addProperty("gates", "gate_mode renormalise: w = q / sum_{TopK} q; reference: w = softmax over TopK of q");
            c.addProperty("router_bias", "expert_bias (auxiliary-loss-free balancing) is added to q for selection "
                    + "only; gates never include it");
            c.addProperty("moe_output", "y = sum_{e in TopK} w_e * expert_e(u) + shared_experts(u)");
            c.addProperty("capacity", "router_capacity_factor drops tokens in training only; inference is dropless");
        }
        return c;
    }

    static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }
}
