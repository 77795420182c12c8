package io.mohge.engine;

/**
 * The REINFORCE estimator of the switch controllers' gradient (docs/temporal.md). Per micro-batch of B
 * sequences of T positions the objective is, for decisions s sampled from the controllers' probabilities beta,
 * <pre>
 *   J = E_s[ L_task(s) + kappa sum_{i,b,t>0} s_{i,b,t} ],   kappa = c / (B (T - 1))
 *     = E_s[ L_task(s) + kappa sum_{i,b,t>0} beta_{i,b,t}(s) ]     (E[s | its context] = beta; lower variance)
 * </pre>
 * L_task = sum_{b,t} l_{b,t} with l the positions' weighted losses. A decision at position t can only change what
 * happens at positions t' >= t of its own sequence (causal attention, and the kept set passes forward), so its
 * return is the sequence's loss-to-go, and the other sequences' returns at the same position give a baseline that
 * does not depend on it (leave-one-out):
 * <pre>
 *   G_{b,t}   = sum_{t' >= t} ( l_{b,t'} + kappa sum_i beta_{i,b,t'} [t' > 0] )
 *   base_{b,t}= (sum_{b'} G_{b',t} - G_{b,t}) / (B - 1)          (0 when B = 1)
 *   dJ/dz_{i,b,t} ~= (s - beta)(G_{b,t} - base_{b,t}) + kappa beta (1 - beta)          (t > 0; 0 at t = 0)
 * </pre>
 * The first term is the score-function estimate (d log Bernoulli(s; beta) / dz = s - beta), the second the exact
 * derivative of the expected cost. Averaged over the decisions' distribution this is exactly dJ/dz, which the test
 * checks by enumerating every decision vector of a small model.
 */
final class SwitchEstimator {

    private SwitchEstimator() {
    }

    /**
     * @param token    [B*T] each position's weighted task loss l
     * @param beta     [layers][B*T] the controllers' switch probabilities
     * @param switched [layers][B*T] the sampled decisions (true = switch)
     * @param cost     c, the deliberation cost per switch
     * @param scale    factor on the gradients (the micro-batch weight)
     * @return [layers][B*T] dJ/dz, already scaled
     */
    static double[][] gradients(double[] token, double[][] beta, boolean[][] switched, int sequences, int seqLen,
                                double cost, double scale) {
        int layers = beta.length;
        int n = sequences * seqLen;
        double kappa = seqLen > 1 ? cost / ((double) sequences * (seqLen - 1)) : 0;
        double[] togo = new double[n];                                   // G [B*T]
        for (int b = 0; b < sequences; b++) {
            double sum = 0;
            for (int t = seqLen - 1; t >= 0; t--) {
                int row = b * seqLen + t;
                sum += token[row];
                if (t > 0) for (double[] layer : beta) sum += kappa * layer[row];
                togo[row] = sum;
            }
        }
        double[][] dz = new double[layers][n];
        for (int t = 1; t < seqLen; t++) {
            double all = 0;
            for (int b = 0; b < sequences; b++) all += togo[b * seqLen + t];
            for (int b = 0; b < sequences; b++) {
                int row = b * seqLen + t;
                double advantage = togo[row] - (sequences > 1 ? (all - togo[row]) / (sequences - 1) : 0);
                for (int i = 0; i < layers; i++) {
                    double p = beta[i][row];
                    double s = switched[i][row] ? 1 : 0;
                    dz[i][row] = scale * ((s - p) * advantage + kappa * p * (1 - p));
                }
            }
        }
        return dz;
    }

    /** c x (switch decisions / decision positions), summed over layers: the deliberation cost actually paid. */
    static double cost(boolean[][] switched, int sequences, int seqLen, double cost) {
        if (seqLen < 2) return 0;
        double total = 0;
        for (boolean[] layer : switched) {
            long n = 0;
            for (int b = 0; b < sequences; b++) {
                for (int t = 1; t < seqLen; t++) if (layer[b * seqLen + t]) n++;
            }
            total += cost * n / ((double) sequences * (seqLen - 1));
        }
        return total;
    }
}
