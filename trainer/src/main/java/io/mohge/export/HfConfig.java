package io.mohge.export;

import com.google.gson.annotations.SerializedName;
import io.mohge.json.JsonRecords;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.mohge.json.JsonRecords.required;

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
 *
 * <p>Written and read by Gson ({@link JsonRecords}): the JSON keys are the snake_case component names, in
 * component order, and null components (the routed keys of a dense model) are left out. The constructor checks
 * what the Java model fixes, so a file edited into something else is refused with the key named; keys a
 * port needs but the Java model does not (token ids, conventions) are not checked.
 */
public record HfConfig(
        List<String> architectures, String modelType, AutoMap autoMap, Integer vocabSize, Integer hiddenSize,
        Integer numHiddenLayers, Integer numAttentionHeads, Integer numKeyValueHeads, Integer headDim,
        Integer maxPositionEmbeddings, Double ropeTheta, String ropeLayout, Double attentionScale,
        Boolean attentionBias, Boolean mlpBias, Double rmsNormEps, String hiddenAct, String mlpType,
        Double initializerRange, String torchDtype, Boolean tieWordEmbeddings, Boolean useCache, Integer eosTokenId,
        String tokenizerKind, String ffnType,
        Integer intermediateSize,
        Integer numExperts, Integer numExpertsPerTok, Integer numExpertGroups, Integer expertsPerGroup,
        Integer groupTopK, List<Integer> expertIntermediateSizes, List<Integer> groupIntermediateSizes,
        String groupScoreFunc, Boolean groupProbRenormalise, String expertScoreFunc, String gateMode,
        Boolean routerHasExpertBias, String routerBiasUse, Integer nSharedExperts, Integer sharedExpertIntermediateSize,
        Double routerCapacityFactor, String routerCapacityFactorScope, Double routerBiasUpdateRate, String expertOrder,
        String weightLayout, String tensorNameScheme, Long mohgeTrainingStep, Conventions conventions,
        MergeReport mohgeMerge) {

    public static final String ARCHITECTURE = "MohgeForCausalLM";
    public static final String MODEL_TYPE = "mohge";
    /** Token that ends every document in our shards (the newline byte): generation stops there by default. */
    public static final int END_OF_DOCUMENT = 10;

    /** {@code auto_map}: the classes transformers loads with trust_remote_code. */
    public record AutoMap(@SerializedName("AutoConfig") String autoConfig,
                          @SerializedName("AutoModelForCausalLM") String autoModelForCausalLM) { }

    /** {@code conventions}: the conventions in words; the routed ones are null (left out) for a dense model. */
    public record Conventions(String weights, String embedding, String norm, String rope, String attention, String mlp,
                              String router, String gates, String routerBias, String moeOutput, String capacity) {
        static Conventions of(ModelConfig m) {
            String weights = "every matrix [out, in] as in torch.nn.Linear; y = x W^T; no biases";
            String embedding = "model.embed_tokens.weight [vocab, hidden]; lm_head.weight is a separate matrix "
                    + "(tie_word_embeddings false)";
            String norm = "RMSNorm: x / sqrt(mean(x^2) + rms_norm_eps) * weight, pre-norm residual blocks";
            String rope = "rotate_half (GPT-NeoX/Llama): x*cos + rotate_half(x)*sin, rotate_half([a, b]) = [-b, a] "
                    + "per head; angle(pos, j) = pos * rope_theta^(-2j/head_dim) for j < head_dim/2, used for j and "
                    + "j + head_dim/2; positions count from 0 at the first token";
            String attention = "causal softmax(q k^T * attention_scale) v, attention_scale = 1/sqrt(head_dim), "
                    + "num_key_value_heads = num_attention_heads";
            String mlp = "SwiGLU: down_proj(silu(gate_proj(x)) * up_proj(x))";
            if (m.ffn() == ModelConfig.FfnType.DENSE) {
                return new Conventions(weights, embedding, norm, rope, attention, mlp, null, null, null, null, null);
            }
            return new Conventions(weights, embedding, norm, rope, attention, mlp,
                    "a = router.group(u) [G]; sigma = group_score_func(a); S = top group_top_k of "
                            + "sigma; p_g = sigma_g / sum_{g' in S} sigma_g' for g in S (group_prob_renormalise true) or "
                            + "p_g = sigma_g (false, used when group_top_k = 1), 0 outside S; b = router.expert(u) [E] viewed "
                            + "[G, N]; r = softmax over each group's N experts; q = r * p; TopK = top num_experts_per_tok of "
                            + "q + expert_bias over experts of groups in S. With num_expert_groups = 1 there is no group "
                            + "router: p = 1, r = softmax over all experts",
                    "gate_mode renormalise: w = q / sum_{TopK} q; reference: w = softmax over TopK of q",
                    "expert_bias (auxiliary-loss-free balancing) is added to q for selection "
                            + "only; gates never include it",
                    "y = sum_{e in TopK} w_e * expert_e(u) + shared_experts(u)",
                    "router_capacity_factor drops tokens in training only; inference is dropless");
        }
    }

    public HfConfig {
        expect("model_type", modelType, MODEL_TYPE);
        expect("tensor_name_scheme", tensorNameScheme, TensorNames.SCHEME);
        expect("rope_layout", ropeLayout, "rotate_half");
        expect("weight_layout", weightLayout, "out_in");
        for (Object[] kv : new Object[][] {{"vocab_size", vocabSize}, {"hidden_size", hiddenSize},
                {"num_hidden_layers", numHiddenLayers}, {"max_position_embeddings", maxPositionEmbeddings},
                {"rope_theta", ropeTheta}, {"rms_norm_eps", rmsNormEps}, {"initializer_range", initializerRange}}) {
            required(kv[1], (String) kv[0]);
        }
        if (!required(numKeyValueHeads, "num_key_value_heads").equals(required(numAttentionHeads, "num_attention_heads"))) {
            throw new IllegalArgumentException("num_key_value_heads: must equal num_attention_heads (MoHGE-J has no "
                    + "grouped-query attention)");
        }
        ModelConfig.FfnType ffn = choice("ffn_type", ffnType, ModelConfig.FfnType.class);
        if (ffn == ModelConfig.FfnType.DENSE) {
            required(intermediateSize, "intermediate_size");
        } else {
            routedKeysPresent(numExpertsPerTok, numExpertGroups, expertsPerGroup, groupTopK, groupProbRenormalise,
                    nSharedExperts, sharedExpertIntermediateSize, routerCapacityFactor, routerBiasUpdateRate);
            if (ffn == ModelConfig.FfnType.MOE && numExpertGroups != 1) {
                throw new IllegalArgumentException("num_expert_groups: an ffn_type moe export has one group, got "
                        + numExpertGroups);
            }
            if (ffn == ModelConfig.FfnType.MOHGE) {
                choice("group_score_func", groupScoreFunc, ModelConfig.GroupScore.class);
                choice("gate_mode", gateMode, ModelConfig.GateMode.class);
            }
            if (groupProbRenormalise != groupTopK > 1) {
                throw new IllegalArgumentException("group_prob_renormalise: must be true exactly when group_top_k > 1 "
                        + "(docs/method.md section 2: p = sigma_g without renormalisation when group_top_k = 1)");
            }
            groupWidths(expertIntermediateSizes, numExpertGroups, expertsPerGroup);
        }
    }

    public static HfConfig of(ModelConfig m, DType dtype, String tokenizerKind, long step) {
        boolean dense = m.ffn() == ModelConfig.FfnType.DENSE;
        boolean mohge = m.ffn() == ModelConfig.FfnType.MOHGE;
        int groups = mohge ? m.mohge().groups() : 1;
        int perGroup = mohge ? m.mohge().expertsPerGroup() : m.moe().experts();
        int groupTopK = mohge ? m.mohge().groupTopK() : 1;
        List<Integer> groupWidths = mohge ? m.mohge().widths() : List.of(m.moe().width());
        List<Integer> perExpert = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < perGroup; j++) perExpert.add(groupWidths.get(g));
        }
        return new HfConfig(List.of(ARCHITECTURE), MODEL_TYPE,
                new AutoMap("configuration_mohge.MohgeConfig", "modeling_mohge.MohgeForCausalLM"), m.vocabSize(),
                m.dModel(), m.nLayers(), m.nHeads(), m.nHeads(), m.headSize(), m.seqLen(), m.ropeTheta(), "rotate_half",
                1.0 / Math.sqrt(m.headSize()), false, false, m.normEps(), "silu", "swiglu", m.initStd(),
                torchDtype(dtype), false, true, END_OF_DOCUMENT, tokenizerKind, lower(m.ffn()),
                dense ? m.dense().width() : null,
                dense ? null : groups * perGroup, dense ? null : mohge ? m.mohge().topK() : m.moe().topK(),
                dense ? null : groups, dense ? null : perGroup, dense ? null : groupTopK, dense ? null : perExpert,
                dense ? null : groupWidths, dense ? null : mohge ? lower(m.mohge().groupScore()) : "none",
                dense ? null : groupTopK > 1, dense ? null : "softmax_in_group",
                dense ? null : mohge ? lower(m.mohge().gateMode()) : "renormalise",
                dense ? null : m.router().biasUpdateRate() > 0, dense ? null : "selection_only",
                dense ? null : m.shared().count(), dense ? null : m.shared().width(),
                dense ? null : m.router().capacityFactor(), dense ? null : "training_only",
                dense ? null : m.router().biasUpdateRate(), dense ? null : "logical",
                "out_in", TensorNames.SCHEME, step, Conventions.of(m), null);
    }

    /**
     * This config with {@code mohge_merge}, the provenance of a merged export: the {@link MergeReport#summary()}
     * of {@code report} (its keys are checked on reading like the rest; a message names them relative to
     * {@code mohge_merge}).
     */
    public HfConfig withMerge(MergeReport report) {
        return new HfConfig(architectures, modelType, autoMap, vocabSize, hiddenSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, maxPositionEmbeddings, ropeTheta, ropeLayout,
                attentionScale, attentionBias, mlpBias, rmsNormEps, hiddenAct, mlpType, initializerRange, torchDtype,
                tieWordEmbeddings, useCache, eosTokenId, tokenizerKind, ffnType, intermediateSize, numExperts,
                numExpertsPerTok, numExpertGroups, expertsPerGroup, groupTopK, expertIntermediateSizes,
                groupIntermediateSizes, groupScoreFunc, groupProbRenormalise, expertScoreFunc, gateMode,
                routerHasExpertBias, routerBiasUse, nSharedExperts, sharedExpertIntermediateSize, routerCapacityFactor,
                routerCapacityFactorScope, routerBiasUpdateRate, expertOrder, weightLayout, tensorNameScheme,
                mohgeTrainingStep, conventions, report.summary());
    }

    /** The model this config describes (the model shape; token ids and conventions are not part of it). */
    public ModelConfig modelConfig() {
        ModelConfig.FfnType ffn = ModelConfig.FfnType.valueOf(ffnType.toUpperCase(Locale.ROOT));
        ModelConfig.Dense dense = ModelConfig.Dense.DEFAULTS;
        ModelConfig.Moe moe = ModelConfig.Moe.DEFAULTS;
        ModelConfig.Mohge mohge = ModelConfig.Mohge.DEFAULTS;
        ModelConfig.Shared shared = ModelConfig.Shared.DEFAULTS;
        ModelConfig.Router router = ModelConfig.Router.DEFAULTS;
        if (ffn == ModelConfig.FfnType.DENSE) {
            dense = new ModelConfig.Dense(intermediateSize);
        } else {
            List<Integer> widths = groupWidths(expertIntermediateSizes, numExpertGroups, expertsPerGroup);
            if (ffn == ModelConfig.FfnType.MOE) {
                moe = new ModelConfig.Moe(expertsPerGroup, widths.get(0), numExpertsPerTok);
            } else {
                mohge = new ModelConfig.Mohge(numExpertGroups, expertsPerGroup, widths, groupTopK, numExpertsPerTok,
                        choice("group_score_func", groupScoreFunc, ModelConfig.GroupScore.class),
                        choice("gate_mode", gateMode, ModelConfig.GateMode.class));
            }
            shared = new ModelConfig.Shared(nSharedExperts, sharedExpertIntermediateSize);
            router = new ModelConfig.Router(routerCapacityFactor, routerBiasUpdateRate);
        }
        return new ModelConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, maxPositionEmbeddings,
                ropeTheta, rmsNormEps, initializerRange, ffn, dense, moe, mohge, shared, router);
    }

    /** Pretty JSON text, as written to config.json. */
    public String toJson() {
        return JsonRecords.write(this);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static void routedKeysPresent(Integer numExpertsPerTok, Integer numExpertGroups, Integer expertsPerGroup,
                                          Integer groupTopK, Boolean groupProbRenormalise, Integer nSharedExperts,
                                          Integer sharedWidth, Double capacityFactor, Double biasUpdateRate) {
        required(numExpertGroups, "num_expert_groups");
        required(expertsPerGroup, "experts_per_group");
        required(numExpertsPerTok, "num_experts_per_tok");
        required(groupTopK, "group_top_k");
        required(groupProbRenormalise, "group_prob_renormalise");
        required(nSharedExperts, "n_shared_experts");
        required(sharedWidth, "shared_expert_intermediate_size");
        required(capacityFactor, "router_capacity_factor");
        required(biasUpdateRate, "router_bias_update_rate");
    }

    /** One width per group from the per-expert list; experts of one group must share their width. */
    private static List<Integer> groupWidths(List<Integer> sizes, int groups, int perGroup) {
        if (required(sizes, "expert_intermediate_sizes").size() != groups * perGroup || sizes.contains(null)) {
            throw new IllegalArgumentException("expert_intermediate_sizes: expected one width per expert ("
                    + groups * perGroup + " values), got " + sizes);
        }
        List<Integer> widths = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int w = sizes.get(g * perGroup);
            for (int j = 1; j < perGroup; j++) {
                if (sizes.get(g * perGroup + j) != w) {
                    throw new IllegalArgumentException("expert_intermediate_sizes: experts of group " + g + " have "
                            + "different widths " + sizes + "; MoHGE-J gives every expert of a group the group's width");
                }
            }
            widths.add(w);
        }
        return widths;
    }

    private static void expect(String key, String got, String value) {
        if (!value.equals(required(got, key))) {
            throw new IllegalArgumentException(key + ": expected \"" + value + "\", got \"" + got + "\"");
        }
    }

    private static <E extends Enum<E>> E choice(String key, String got, Class<E> type) {
        try {
            return Enum.valueOf(type, required(got, key).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            if (got == null) throw e;
            List<String> allowed = new ArrayList<>();
            for (E c : type.getEnumConstants()) allowed.add(c.name().toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException(key + ": \"" + got + "\" is not one of " + allowed);
        }
    }

    static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }
}
