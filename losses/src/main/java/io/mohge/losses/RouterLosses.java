package io.mohge.losses;

import java.util.List;

/**
 * Router auxiliary losses of one routed layer as pure functions of mean router probabilities and routing
 * counts (Megatron-Core style: the counts are arguments, never recomputed here). Each returns the loss value
 * with its coefficient and the gradient with respect to the mean probabilities P; the router turns dL/dP into
 * logit gradients by the chain rule. Counts are not differentiable. Formulas: docs/method.md sections 3, 4
 * and 7; SameDiff twins in the test sources (AuxLosses) serve as the oracle.
 */
public final class RouterLosses {

    /** A loss value and dL/dP (one entry per group or expert). */
    public record Term(double value, double[] dP) {
    }

    private RouterLosses() {
    }

    /**
     * Cost weight per group, docs/method.md section 3: {@code c_g = (s_g - s_min + D) / D} with D = group_interval.
     * Reference widths 384..1280 and D = 1024 give c = [1.0, 1.125, ..., 1.875].
     */
    public static double[] costWeights(List<Integer> widths, double interval) {
        int min = widths.stream().mapToInt(Integer::intValue).min()
                .orElseThrow(() -> new IllegalArgumentException("widths: at least one group width is required"));
        double[] c = new double[widths.size()];
        for (int g = 0; g < c.length; g++) c[g] = (widths.get(g) - min + interval) / interval;
        return c;
    }

    /**
     * Group-wise auxiliary loss (MoHGE, arXiv 2604.23108):
     * <pre>
     *   f_g = n_g / (T * K_g),   L_group = beta * G * sum_g c_g * P_g * f_g,   dL/dP_g = beta * G * c_g * f_g
     * </pre>
     *
     * @param meanSoftmax P_g = (1/T) sum_t softmax(a_t)_g (softmax of the group logits even under sigmoid routing)
     * @param groupCounts n_g = tokens whose selected groups contain g
     * @param tokens      T, the routed token positions
     * @param cost        c_g ({@link #costWeights})
     */
    public static Term groupAux(double[] meanSoftmax, long[] groupCounts, long tokens, int groupTopK, double[] cost,
                                double beta) {
        int groups = meanSoftmax.length;
        checkLengths(groups, groupCounts.length, cost.length);
        double[] dP = new double[groups];
        double value = 0;
        for (int g = 0; g < groups; g++) {
            double f = (double) groupCounts[g] / ((double) tokens * groupTopK);
            dP[g] = beta * groups * cost[g] * f;
            value += dP[g] * meanSoftmax[g];
        }
        return new Term(value, dP);
    }

    /**
     * Intra-group expert auxiliary loss:
     * <pre>
     *   f_e = n_e / (T * K),   L_intra = alpha * (N * K_g) * sum_e P_e * f_e,   dL/dP_e = alpha * N * K_g * f_e
     * </pre>
     * Perfect balance gives alpha * K_g / G; with G = 1, K_g = 1 this is the Switch form alpha * E * sum f P.
     *
     * @param meanGates     P_e = (1/T) sum_t w_{t,e}, the final gates (0 for unselected experts)
     * @param expertCounts  n_e = tokens that selected expert e
     */
    public static Term intraAux(double[] meanGates, long[] expertCounts, long tokens, int topK, int expertsPerGroup,
                                int groupTopK, double alpha) {
        return balance(meanGates, expertCounts, tokens, topK, alpha * expertsPerGroup * groupTopK);
    }

    /**
     * Switch Transformer load-balancing loss over all E experts (Fedus et al. 2021):
     * {@code L_switch = coef * E * sum_e f_e * P_e}, f_e = n_e / (T * K); uniform routing gives coef.
     *
     * @param meanProbs P_e = (1/T) sum_t q_{t,e}, the dense router distribution
     */
    public static Term switchAux(double[] meanProbs, long[] expertCounts, long tokens, int topK, double coef) {
        return balance(meanProbs, expertCounts, tokens, topK, coef * meanProbs.length);
    }

    /**
     * Router z-loss term of one logit set (Zoph et al. 2022, ST-MoE):
     * {@code L_z = coef * (1/T) sum_t lse_t^2}, {@code dL/dlse_t = 2 * coef * lse_t / T}.
     *
     * @param logSumExp lse_t = logsumexp of the logits of token t
     * @return the value, with dP holding dL/dlse per token
     */
    public static Term zLoss(double[] logSumExp, double coef) {
        int tokens = logSumExp.length;
        double[] d = new double[tokens];
        double value = 0;
        for (int t = 0; t < tokens; t++) {
            value += logSumExp[t] * logSumExp[t];
            d[t] = 2 * coef * logSumExp[t] / tokens;
        }
        return new Term(coef * value / tokens, d);
    }

    /** coef' * sum_e P_e * n_e / (T * K) and its gradient. */
    private static Term balance(double[] meanP, long[] counts, long tokens, int topK, double scaledCoef) {
        checkLengths(meanP.length, counts.length, meanP.length);
        double[] dP = new double[meanP.length];
        double value = 0;
        for (int e = 0; e < meanP.length; e++) {
            dP[e] = scaledCoef * counts[e] / ((double) tokens * topK);
            value += dP[e] * meanP[e];
        }
        return new Term(value, dP);
    }

    private static void checkLengths(int n, int counts, int cost) {
        if (counts != n || cost != n) {
            throw new IllegalArgumentException("router loss: " + n + " probabilities but " + counts + " counts and "
                    + cost + " cost weights");
        }
    }
}
