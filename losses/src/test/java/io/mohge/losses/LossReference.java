package io.mohge.losses;

/**
 * Plain-Java (double) implementations of every loss formula, written loop by loop from docs/method.md. They are the
 * hand-computed oracles that the SameDiff versions in {@link LmLoss} and {@link AuxLosses} are tested against,
 * and can be used to check logged values offline. Arrays are [tokens][classes].
 */
public final class LossReference {

    private LossReference() {
    }

    /** Masked mean cross-entropy: - sum_n m_n log softmax(x_n)[y_n] / max(1, sum_n m_n). */
    public static double crossEntropy(double[][] logits, int[] targets, double[] mask) {
        double sum = 0;
        double counted = 0;
        for (int n = 0; n < logits.length; n++) {
            sum += mask[n] * (logSumExp(logits[n]) - logits[n][targets[n]]);
            counted += mask[n];
        }
        return sum / Math.max(1.0, counted);
    }

    /** L_group = beta * G * sum_g c_g * P_g * f_g with P from softmax(a), f_g = n_g / (N K_g) (docs/method.md s.3). */
    public static double groupAux(double[][] groupLogits, double[][] groupSelected, double[] cost, int groupTopK,
                                  double beta) {
        int tokens = groupLogits.length;
        int groups = cost.length;
        double[] p = new double[groups];
        double[] f = new double[groups];
        for (double[] row : groupLogits) {
            double[] s = softmax(row);
            for (int g = 0; g < groups; g++) p[g] += s[g] / tokens;
        }
        for (double[] row : groupSelected) {
            for (int g = 0; g < groups; g++) f[g] += row[g] / ((double) tokens * groupTopK);
        }
        double sum = 0;
        for (int g = 0; g < groups; g++) sum += cost[g] * p[g] * f[g];
        return beta * groups * sum;
    }

    /** L_intra = alpha * N_g * K_g * sum_e P_e f_e, P_e = mean gate, f_e = n_e / (N K) (docs/method.md s.4). */
    public static double intraAux(double[][] gates, double[][] expertSelected, int expertsPerGroup, int groupTopK,
                                  int topK, double alpha) {
        double[] p = columnMeans(gates);
        double[] f = columnMeans(expertSelected);
        double sum = 0;
        for (int e = 0; e < p.length; e++) sum += p[e] * f[e] / topK;
        return alpha * expertsPerGroup * groupTopK * sum;
    }

    /** L_switch = coef * E * sum_e f_e P_e, P_e = mean router probability, f_e = n_e / (N K) (docs/method.md s.7). */
    public static double switchAux(double[][] probs, double[][] expertSelected, int topK, double coef) {
        double[] p = columnMeans(probs);
        double[] f = columnMeans(expertSelected);
        double sum = 0;
        for (int e = 0; e < p.length; e++) sum += p[e] * f[e] / topK;
        return coef * p.length * sum;
    }

    /** L_z = coef * sum over logit sets of mean_t logsumexp(x_t)^2 (ST-MoE; docs/method.md s.7). */
    public static double zLoss(double coef, double[][]... logitSets) {
        double total = 0;
        for (double[][] logits : logitSets) {
            double sum = 0;
            for (double[] row : logits) {
                double lse = logSumExp(row);
                sum += lse * lse;
            }
            total += sum / logits.length;
        }
        return coef * total;
    }

    /** Cost weights c_g = (s_g - s_min + D) / D. */
    public static double[] costWeights(int[] widths, double interval) {
        int min = Integer.MAX_VALUE;
        for (int w : widths) min = Math.min(min, w);
        double[] c = new double[widths.length];
        for (int g = 0; g < widths.length; g++) c[g] = (widths[g] - min + interval) / interval;
        return c;
    }

    static double logSumExp(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) max = Math.max(max, v);
        double sum = 0;
        for (double v : row) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    static double[] softmax(double[] row) {
        double lse = logSumExp(row);
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) out[i] = Math.exp(row[i] - lse);
        return out;
    }

    private static double[] columnMeans(double[][] x) {
        double[] mean = new double[x[0].length];
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) mean[j] += row[j] / x.length;
        }
        return mean;
    }
}
