package io.mohge.model;

import java.util.List;

import static io.mohge.model.ConfigChecks.nonNegative;
import static io.mohge.model.ConfigChecks.positive;

/**
 * Shape of the decoder LM and of its FFN layers (YAML section {@code model}).
 *
 * <p>Every config record in MoHGE-J follows the same conventions: YAML keys are the snake_case form of the
 * record components, {@code DEFAULTS} holds the value used for an omitted key, and the constructor rejects
 * impossible values with an {@link IllegalArgumentException} whose message starts with the offending key.
 *
 * <p>The model and loss records are {@link java.io.Serializable}: Spark workers receive them (and rebuild the model)
 * by Java serialisation, which goes through the validating constructors.
 */
public record ModelConfig(
        int vocabSize,
        int dModel,
        int nLayers,
        int nHeads,
        int seqLen,
        double ropeTheta,
        double normEps,
        double initStd,
        FfnType ffn,
        Dense dense,
        Moe moe,
        Mohge mohge,
        Shared shared,
        Router router,
        TemporalConfig temporal) implements java.io.Serializable {

    public static final ModelConfig DEFAULTS = new ModelConfig(256, 128, 2, 4, 128, 10000.0, 1e-6, 0.02,
            FfnType.MOHGE, Dense.DEFAULTS, Moe.DEFAULTS, Mohge.DEFAULTS, Shared.DEFAULTS, Router.DEFAULTS,
            TemporalConfig.DEFAULTS);

    /** Which FFN every layer uses: the MoHGE layer or one of the two ablation baselines. */
    public enum FfnType { DENSE, MOE, MOHGE }

    /** Level-1 group score: sigmoid (reference code) or softmax. */
    public enum GroupScore { SIGMOID, SOFTMAX }

    /** How gates are formed from q over the selected experts (docs/method.md section 2). */
    public enum GateMode { RENORMALISE, REFERENCE }

    public ModelConfig {
        positive("vocab_size", vocabSize);
        positive("d_model", dModel);
        positive("n_layers", nLayers);
        positive("n_heads", nHeads);
        positive("seq_len", seqLen);
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException("n_heads: d_model = " + dModel + " is not divisible by n_heads = "
                    + nHeads + "; choose n_heads among the divisors of d_model");
        }
        if ((dModel / nHeads) % 2 != 0) {
            throw new IllegalArgumentException("n_heads: head size d_model/n_heads = " + (dModel / nHeads)
                    + " must be even for RoPE; choose d_model and n_heads so that d_model/n_heads is even");
        }
        positive("rope_theta", ropeTheta);
        positive("norm_eps", normEps);
        positive("init_std", initStd);
        if (ffn == null) throw new IllegalArgumentException("ffn: missing; choose one of dense, moe, mohge");
        if (dense == null || moe == null || mohge == null || shared == null || router == null || temporal == null) {
            throw new IllegalArgumentException("ffn: sub-sections dense, moe, mohge, shared, router and temporal must "
                    + "not be null");
        }
        if (temporal.controller() && ffn == FfnType.DENSE) {
            throw new IllegalArgumentException("model.temporal.controller: the switch controller chooses between "
                    + "routed expert sets, but ffn is dense; use ffn: moe or mohge, or controller: false");
        }
    }

    /** A model without temporally extended routing ({@link TemporalConfig#DEFAULTS}). */
    public ModelConfig(int vocabSize, int dModel, int nLayers, int nHeads, int seqLen, double ropeTheta, double normEps,
                       double initStd, FfnType ffn, Dense dense, Moe moe, Mohge mohge, Shared shared, Router router) {
        this(vocabSize, dModel, nLayers, nHeads, seqLen, ropeTheta, normEps, initStd, ffn, dense, moe, mohge, shared,
                router, TemporalConfig.DEFAULTS);
    }

    /** This config with another {@code temporal} section. */
    public ModelConfig withTemporal(TemporalConfig t) {
        return new ModelConfig(vocabSize, dModel, nLayers, nHeads, seqLen, ropeTheta, normEps, initStd, ffn, dense, moe,
                mohge, shared, router, t);
    }

    /** True when every routed layer has a switch controller. */
    public boolean hasController() {
        return temporal.controller();
    }

    public int headSize() { return dModel / nHeads; }

    /**
     * The FFN as the engine runs it: {@code dense} is a {@link FfnSpec.Dense}; {@code moe} is a
     * {@link FfnSpec.Routed} with one group of E experts (softmax over all experts, renormalised top-k gates);
     * {@code mohge} is a {@link FfnSpec.Routed} with G groups.
     */
    public FfnSpec ffnSpec() {
        int sharedWidth = shared.count() * shared.width();
        return switch (ffn) {
            case DENSE -> new FfnSpec.Dense(dense.width());
            case MOE -> new FfnSpec.Routed(1, moe.experts(), List.of(moe.width()), 1, moe.topK(), GroupScore.SOFTMAX,
                    GateMode.RENORMALISE, sharedWidth, router.capacityFactor(), router.biasUpdateRate());
            case MOHGE -> new FfnSpec.Routed(mohge.groups(), mohge.expertsPerGroup(), mohge.widths(), mohge.groupTopK(),
                    mohge.topK(), mohge.groupScore(), mohge.gateMode(), sharedWidth, router.capacityFactor(),
                    router.biasUpdateRate());
        };
    }

    /** Dense SwiGLU FFN baseline (YAML {@code model.dense}). */
    public record Dense(int width) implements java.io.Serializable {
        public static final Dense DEFAULTS = new Dense(512);
        public Dense { positive("width", width); }
    }

    /** Standard top-k MoE of equal experts (YAML {@code model.moe}). */
    public record Moe(int experts, int width, int topK) implements java.io.Serializable {
        public static final Moe DEFAULTS = new Moe(8, 256, 2);
        public Moe {
            positive("experts", experts);
            positive("width", width);
            positive("top_k", topK);
            if (topK > experts) {
                throw new IllegalArgumentException("top_k: " + topK + " is larger than experts = " + experts
                        + "; choose top_k between 1 and " + experts);
            }
        }
    }

    /**
     * Heterogeneous grouped experts (YAML {@code model.mohge}): {@code groups} size groups of
     * {@code experts_per_group} experts; group g's experts have width {@code widths[g]}.
     */
    public record Mohge(int groups, int expertsPerGroup, List<Integer> widths, int groupTopK, int topK,
                        GroupScore groupScore, GateMode gateMode) implements java.io.Serializable {
        public static final Mohge DEFAULTS = new Mohge(4, 2, List.of(128, 192, 256, 320), 2, 2,
                GroupScore.SIGMOID, GateMode.RENORMALISE);

        public Mohge {
            positive("groups", groups);
            positive("experts_per_group", expertsPerGroup);
            if (widths == null || widths.size() != groups) {
                throw new IllegalArgumentException("widths: expected one width per group (" + groups + " values), got "
                        + (widths == null ? "none" : widths.size() + " " + widths));
            }
            widths = List.copyOf(widths);
            for (int g = 0; g < groups; g++) {
                if (widths.get(g) <= 0) {
                    throw new IllegalArgumentException("widths: every width must be positive, got " + widths);
                }
                if (g > 0 && widths.get(g) <= widths.get(g - 1)) {
                    throw new IllegalArgumentException("widths: must grow strictly from the first group to the last "
                            + "(s_0 < s_1 < ...), got " + widths + "; sort them ascending");
                }
            }
            if (groupTopK < 1 || groupTopK > groups) {
                throw new IllegalArgumentException("group_top_k: " + groupTopK + " is outside 1.." + groups
                        + " (the number of groups)");
            }
            int reachable = groupTopK * expertsPerGroup;
            if (topK < 1 || topK > reachable) {
                throw new IllegalArgumentException("top_k: " + topK + " is outside 1.." + reachable
                        + " (group_top_k x experts_per_group experts lie in the selected groups)");
            }
            if (groupScore == null) throw new IllegalArgumentException("group_score: choose sigmoid or softmax");
            if (gateMode == null) throw new IllegalArgumentException("gate_mode: choose renormalise or reference");
        }

        public int experts() { return groups * expertsPerGroup; }

        public int width(int group) { return widths.get(group); }
    }

    /** Always-on shared experts, DeepSeekMoE style (YAML {@code model.shared}); count 0 disables them. */
    public record Shared(int count, int width) implements java.io.Serializable {
        public static final Shared DEFAULTS = new Shared(0, 0);
        public Shared {
            if (count < 0) throw new IllegalArgumentException("count: must be 0 (no shared expert) or more, got " + count);
            if (count > 0 && width <= 0) {
                throw new IllegalArgumentException("width: shared experts need a positive width, got " + width);
            }
        }
    }

    /**
     * Router options shared by moe and mohge layers (YAML {@code model.router}).
     *
     * @param capacityFactor 0 means dropless (the reference); otherwise capacity = ceil(T*K/E * CF) and
     *                       overflow tokens skip the layer
     * @param biasUpdateRate gamma of auxiliary-loss-free balancing (DeepSeek-V3); 0 disables the bias
     */
    public record Router(double capacityFactor, double biasUpdateRate) implements java.io.Serializable {
        public static final Router DEFAULTS = new Router(0.0, 0.0);
        public Router {
            if (!(capacityFactor == 0.0 || capacityFactor >= 1.0)) {
                throw new IllegalArgumentException("capacity_factor: " + capacityFactor
                        + " would drop tokens even under perfect balance; use 0 (dropless) or a value >= 1.0");
            }
            nonNegative("bias_update_rate", biasUpdateRate);
        }
    }

}
