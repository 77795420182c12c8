package io.mohge.model;

import java.util.List;

/**
 * The FFN of every layer, as the engine sees it: a dense SwiGLU, or a routed layer of size groups. A standard
 * top-k MoE is the routed layer with one group (no group router, p = 1), so there is one routed code path.
 * {@link ModelConfig#ffnSpec()} derives it from the YAML-facing config.
 */
public sealed interface FfnSpec permits FfnSpec.Dense, FfnSpec.Routed {

    /** Dense SwiGLU of hidden width {@code width}. */
    record Dense(int width) implements FfnSpec {
        public Dense {
            if (width <= 0) throw new IllegalArgumentException("width: must be positive, got " + width);
        }
    }

    /**
     * Routed experts in G size groups of N experts (logical expert e = g * N + j has width widths[g]).
     *
     * @param groups          G (1 = plain top-k MoE: no group router)
     * @param expertsPerGroup N
     * @param widths          one SwiGLU width per group
     * @param groupTopK       K_g groups per token (1 when G = 1)
     * @param topK            K experts per token, all inside the selected groups
     * @param groupScore      sigma = sigmoid(a) or softmax(a) (unused when G = 1)
     * @param gateMode        renormalise (q / sum q) or reference (softmax of q) over TopK
     * @param sharedWidth     width of the always-on shared SwiGLU (all shared experts fused), 0 = none
     * @param capacityFactor  0 = dropless, else capacity = ceil(T*K/E * CF) per expert
     * @param biasUpdateRate  gamma of auxiliary-loss-free balancing, 0 = no selection bias
     */
    record Routed(int groups, int expertsPerGroup, List<Integer> widths, int groupTopK, int topK,
                  ModelConfig.GroupScore groupScore, ModelConfig.GateMode gateMode, int sharedWidth,
                  double capacityFactor, double biasUpdateRate) implements FfnSpec {
        public Routed {
            widths = List.copyOf(widths);
            if (groups < 1 || expertsPerGroup < 1 || widths.size() != groups) {
                throw new IllegalArgumentException("groups: need at least one group of at least one expert and one "
                        + "width per group, got " + groups + " x " + expertsPerGroup + " widths " + widths);
            }
            if (groups * expertsPerGroup < 2) {
                throw new IllegalArgumentException("experts: a routed layer needs at least 2 experts, got "
                        + groups * expertsPerGroup + "; use ffn: dense for a single FFN");
            }
            if (groupTopK < 1 || groupTopK > groups) {
                throw new IllegalArgumentException("group_top_k: " + groupTopK + " is outside 1.." + groups);
            }
            if (topK < 1 || topK > groupTopK * expertsPerGroup) {
                throw new IllegalArgumentException("top_k: " + topK + " is outside 1.." + groupTopK * expertsPerGroup);
            }
            if (sharedWidth < 0) throw new IllegalArgumentException("shared width: must be 0 or more, got " + sharedWidth);
        }

        public int experts() {
            return groups * expertsPerGroup;
        }

        /** Width of logical expert e. */
        public int width(int expert) {
            return widths.get(expert / expertsPerGroup);
        }

        public int maxWidth() {
            return widths.stream().mapToInt(Integer::intValue).max().orElseThrow();
        }

        /** True when the layer has a group router (G > 1). */
        public boolean hasGroupRouter() {
            return groups > 1;
        }
    }
}
