package io.mohge.export;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.mohge.model.ModelConfig;
import io.mohge.train.ExportConfig.DType;

/**
 * The {@code config.json} of an export, in the key style of Hugging Face transformers configs, so that a
 * serving stack can read the model shape without MoHGE-J. Keys:
 * <ul>
 *   <li>{@code architectures} ["MohgeForCausalLM"], {@code model_type} "mohge"</li>
 *   <li>{@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads},
 *       {@code head_dim}, {@code max_position_embeddings} (= training seq_len), {@code rope_theta},
 *       {@code rms_norm_eps}, {@code initializer_range}, {@code torch_dtype}</li>
 *   <li>{@code ffn_type}: dense | moe | mohge; dense: {@code intermediate_size};
 *       moe: {@code num_experts}, {@code moe_intermediate_size}, {@code num_experts_per_tok};
 *       mohge: {@code num_expert_groups}, {@code experts_per_group}, {@code num_experts},
 *       {@code expert_intermediate_sizes} (one width per group), {@code group_top_k},
 *       {@code num_experts_per_tok}, {@code group_score_func}, {@code gate_mode}</li>
 *   <li>{@code n_shared_experts}, {@code shared_expert_intermediate_size}; {@code router_capacity_factor},
 *       {@code router_bias_update_rate}</li>
 *   <li>{@code tensor_name_scheme}: the naming of model.safetensors (see package documentation),
 *       {@code mohge_training_step}</li>
 * </ul>
 */
public final class HfConfig {

    public static final String ARCHITECTURE = "MohgeForCausalLM";

    private HfConfig() { }

    public static JsonObject of(ModelConfig m, DType dtype, String tensorNameScheme, long step) {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add(ARCHITECTURE);
        o.add("architectures", arch);
        o.addProperty("model_type", "mohge");
        o.addProperty("vocab_size", m.vocabSize());
        o.addProperty("hidden_size", m.dModel());
        o.addProperty("num_hidden_layers", m.nLayers());
        o.addProperty("num_attention_heads", m.nHeads());
        o.addProperty("head_dim", m.headSize());
        o.addProperty("max_position_embeddings", m.seqLen());
        o.addProperty("rope_theta", m.ropeTheta());
        o.addProperty("rms_norm_eps", m.normEps());
        o.addProperty("initializer_range", m.initStd());
        o.addProperty("hidden_act", "silu");
        o.addProperty("torch_dtype", switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        });
        o.addProperty("ffn_type", m.ffn().name().toLowerCase());
        switch (m.ffn()) {
            case DENSE -> o.addProperty("intermediate_size", m.dense().width());
            case MOE -> {
                o.addProperty("num_experts", m.moe().experts());
                o.addProperty("moe_intermediate_size", m.moe().width());
                o.addProperty("num_experts_per_tok", m.moe().topK());
            }
            case MOHGE -> {
                ModelConfig.Mohge h = m.mohge();
                o.addProperty("num_expert_groups", h.groups());
                o.addProperty("experts_per_group", h.expertsPerGroup());
                o.addProperty("num_experts", h.experts());
                JsonArray widths = new JsonArray();
                h.widths().forEach(widths::add);
                o.add("expert_intermediate_sizes", widths);
                o.addProperty("group_top_k", h.groupTopK());
                o.addProperty("num_experts_per_tok", h.topK());
                o.addProperty("group_score_func", h.groupScore().name().toLowerCase());
                o.addProperty("gate_mode", h.gateMode().name().toLowerCase());
            }
        }
        o.addProperty("n_shared_experts", m.shared().count());
        o.addProperty("shared_expert_intermediate_size", m.shared().width());
        o.addProperty("router_capacity_factor", m.router().capacityFactor());
        o.addProperty("router_bias_update_rate", m.router().biasUpdateRate());
        o.addProperty("tensor_name_scheme", tensorNameScheme);
        o.addProperty("mohge_training_step", step);
        return o;
    }
}
