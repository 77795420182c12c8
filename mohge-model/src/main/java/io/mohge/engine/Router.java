package io.mohge.engine;

import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;

/**
 * The MoHGE two-level router of one layer, forward and backward, on host arrays: the router's work is
 * [N, G] and [N, E] numbers and discrete choices, so it runs in plain Java (in double) while the experts
 * run as BLAS products. Logical expert e = g * N + j. For token t:
 * <pre>
 *   r_{g,:}  = softmax(b_{g,:})                       in-group softmax of the expert logits b = u W_E
 *   sigma    = sigmoid(a) | softmax(a)                group scores of a = u W_G        (G > 1)
 *   S        = the K_g groups with the largest sigma
 *   p_g      = sigma_g / sum_{g' in S} sigma_g'  for g in S (p_g = sigma_g when K_g = 1), else 0
 *   q_e      = r_e * p_{g(e)}                          (G = 1: p = 1, q = softmax over all E)
 *   TopK     = the K experts of the groups in S with the largest q_e + bias_e   (bias: selection only)
 *   w_e      = q_e / sum_{TopK} q   (renormalise)  |  exp(q_e) / sum_{TopK} exp(q)   (reference)
 * </pre>
 * A token the switch controller marks as kept (docs/temporal.md) takes the previous token's S and TopK
 * instead of choosing them; p, q and the gates are recomputed over that set from its own logits, with the same
 * formulas, and the kept experts are ordered by q (largest first).
 * The backward turns gate gradients (and the auxiliary losses' dL/dP, see {@link RouterAux}) into
 * gradients of the logits a and b.
 */
final class Router {

    final FfnSpec.Routed spec;
    final int groups;
    final int perGroup;
    final int experts;
    final int topK;
    final int groupTopK;

    int n;
    double[] b;          // [n*E] expert logits
    double[] a;          // [n*G] group logits (G > 1)
    double[] r;          // [n*E]
    double[] sigma;      // [n*G]
    double[] p;          // [n*G]
    double[] q;          // [n*E]
    int[] selGroups;     // [n*K_g]
    int[] selExperts;    // [n*K], best first
    double[] gates;      // [n*K]
    double[] gateNorm;   // [n] sum over TopK of q (renormalise) or of exp(q) (reference)
    long[] expertCounts; // [E] tokens that selected expert e
    long[] groupCounts;  // [G] tokens whose S contains g

    Router(FfnSpec.Routed spec) {
        this.spec = spec;
        this.groups = spec.groups();
        this.perGroup = spec.expertsPerGroup();
        this.experts = spec.experts();
        this.topK = spec.topK();
        this.groupTopK = spec.groupTopK();
    }

    /**
     * @param expertLogits [n*E] b
     * @param groupLogits  [n*G] a, or null when G = 1
     * @param bias         [E] selection bias, or null
     */
    void forward(double[] expertLogits, double[] groupLogits, double[] bias, int tokens) {
        forward(expertLogits, groupLogits, bias, tokens, null, null, null);
    }

    /**
     * As {@link #forward(double[], double[], double[], int)}, with tokens that keep the previous token's set.
     *
     * @param keep         [n] true where the token keeps the previous token's groups and experts, or null (none)
     * @param carryGroups  [K_g] the set before token 0 (used only when keep[0]), else null
     * @param carryExperts [K]
     */
    void forward(double[] expertLogits, double[] groupLogits, double[] bias, int tokens, boolean[] keep,
                 int[] carryGroups, int[] carryExperts) {
        n = tokens;
        b = expertLogits;
        a = groupLogits;
        r = new double[n * experts];
        q = new double[n * experts];
        sigma = new double[n * groups];
        p = new double[n * groups];
        selGroups = new int[n * groupTopK];
        selExperts = new int[n * topK];
        gates = new double[n * topK];
        gateNorm = new double[n];
        expertCounts = new long[experts];
        groupCounts = new long[groups];
        boolean[] allowed = new boolean[experts];
        for (int t = 0; t < n; t++) {
            for (int g = 0; g < groups; g++) softmax(b, t * experts + g * perGroup, perGroup, r);
            int pg = t * groups;
            boolean keeps = keep != null && keep[t];
            if (groups == 1) {
                p[pg] = 1;
            } else {
                scoreGroups(t);
                if (keeps) {
                    copyPrevious(selGroups, t, groupTopK, carryGroups);
                } else {
                    topIndices(sigma, pg, groups, null, groupTopK, selGroups, t * groupTopK);
                }
                double kept = 0;
                for (int k = 0; k < groupTopK; k++) kept += sigma[pg + selGroups[t * groupTopK + k]];
                for (int k = 0; k < groupTopK; k++) {
                    int g = selGroups[t * groupTopK + k];
                    p[pg + g] = groupTopK == 1 ? sigma[pg + g] : sigma[pg + g] / kept;
                }
            }
            java.util.Arrays.fill(allowed, false);
            for (int k = 0; k < groupTopK; k++) {
                int g = groups == 1 ? 0 : selGroups[t * groupTopK + k];
                groupCounts[g]++;
                for (int j = 0; j < perGroup; j++) allowed[g * perGroup + j] = true;
            }
            for (int e = 0; e < experts; e++) q[t * experts + e] = r[t * experts + e] * p[pg + e / perGroup];
            double[] score = q;
            int so = t * experts;
            if (bias != null) {
                score = new double[experts];
                for (int e = 0; e < experts; e++) score[e] = q[so + e] + bias[e];
                so = 0;
            }
            if (keeps) {
                copyPrevious(selExperts, t, topK, carryExperts);
                sortByQ(t);
            } else {
                topIndices(score, so, experts, allowed, topK, selExperts, t * topK);
            }
            gateRow(t);
        }
    }

    /** sel[t*k ..] = the previous token's k entries (row t-1, or {@code carry} for t = 0). */
    private static void copyPrevious(int[] sel, int t, int k, int[] carry) {
        if (t > 0) {
            System.arraycopy(sel, (t - 1) * k, sel, t * k, k);
        } else {
            if (carry == null) throw new IllegalStateException("token 0 keeps a set, but there is no previous token");
            System.arraycopy(carry, 0, sel, 0, k);
        }
    }

    /** Orders token t's selected experts by q, largest first (insertion sort over K entries). */
    private void sortByQ(int t) {
        int o = t * topK;
        for (int i = 1; i < topK; i++) {
            int e = selExperts[o + i];
            int j = i - 1;
            while (j >= 0 && q[t * experts + selExperts[o + j]] < q[t * experts + e]) {
                selExperts[o + j + 1] = selExperts[o + j];
                j--;
            }
            selExperts[o + j + 1] = e;
        }
    }

    private void scoreGroups(int t) {
        int o = t * groups;
        if (spec.groupScore() == GroupScore.SIGMOID) {
            for (int g = 0; g < groups; g++) sigma[o + g] = 1 / (1 + Math.exp(-a[o + g]));
        } else {
            softmax(a, o, groups, sigma);
        }
    }

    private void gateRow(int t) {
        boolean reference = spec.gateMode() == GateMode.REFERENCE;
        double norm = 0;
        for (int k = 0; k < topK; k++) {
            int e = selExperts[t * topK + k];
            double v = q[t * experts + e];
            gates[t * topK + k] = reference ? Math.exp(v) : v;
            norm += gates[t * topK + k];
            expertCounts[e]++;
        }
        for (int k = 0; k < topK; k++) gates[t * topK + k] /= norm;
        gateNorm[t] = norm;
    }

    /**
     * Logit gradients of this forward.
     *
     * @param dGates [n*K] dL/dw of every selected slot (LM path and intra-group loss)
     * @param dQ     [n*E] extra dL/dq (the Switch loss), or null
     * @param dA     [n*G] receives dL/da (G > 1); may already hold other terms, which are added to
     * @param dB     [n*E] receives dL/db, likewise added to
     */
    void backward(double[] dGates, double[] dQ, double[] dA, double[] dB) {
        boolean reference = spec.gateMode() == GateMode.REFERENCE;
        double[] dq = new double[experts];
        double[] dp = new double[groups];
        for (int t = 0; t < n; t++) {
            int eo = t * experts;
            int go = t * groups;
            java.util.Arrays.fill(dq, 0);
            if (dQ != null) System.arraycopy(dQ, eo, dq, 0, experts);
            double dot = 0;
            for (int k = 0; k < topK; k++) dot += dGates[t * topK + k] * gates[t * topK + k];
            for (int k = 0; k < topK; k++) {
                int slot = t * topK + k;
                int e = selExperts[slot];
                dq[e] += reference ? gates[slot] * (dGates[slot] - dot) : (dGates[slot] - dot) / gateNorm[t];
            }
            // q = r * p: dr = dq * p, dp = sum over the group of dq * r; then the in-group softmax
            java.util.Arrays.fill(dp, 0);
            for (int g = 0; g < groups; g++) {
                double s = 0;
                for (int j = 0; j < perGroup; j++) {
                    int e = g * perGroup + j;
                    dp[g] += dq[e] * r[eo + e];
                    s += dq[e] * p[go + g] * r[eo + e];
                }
                for (int j = 0; j < perGroup; j++) {
                    int e = g * perGroup + j;
                    dB[eo + e] += r[eo + e] * (dq[e] * p[go + g] - s);
                }
            }
            if (groups > 1) groupBackward(t, dp, dA);
        }
    }

    /** dp -> dsigma (through the renormalisation over S) -> da. */
    private void groupBackward(int t, double[] dp, double[] dA) {
        int go = t * groups;
        double[] dsigma = new double[groups];
        if (groupTopK == 1) {
            int g = selGroups[t];
            dsigma[g] = dp[g];
        } else {
            double kept = 0;
            double s = 0;
            for (int k = 0; k < groupTopK; k++) {
                int g = selGroups[t * groupTopK + k];
                kept += sigma[go + g];
                s += dp[g] * p[go + g];
            }
            for (int k = 0; k < groupTopK; k++) {
                int g = selGroups[t * groupTopK + k];
                dsigma[g] = (dp[g] - s) / kept;
            }
        }
        if (spec.groupScore() == GroupScore.SIGMOID) {
            for (int g = 0; g < groups; g++) {
                double s = sigma[go + g];
                dA[go + g] += dsigma[g] * s * (1 - s);
            }
        } else {
            double s = 0;
            for (int g = 0; g < groups; g++) s += dsigma[g] * sigma[go + g];
            for (int g = 0; g < groups; g++) dA[go + g] += sigma[go + g] * (dsigma[g] - s);
        }
    }

    /** Softmax of x[o .. o+len) into out[o .. o+len). */
    static void softmax(double[] x, int o, int len, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) max = Math.max(max, x[o + i]);
        double sum = 0;
        for (int i = 0; i < len; i++) {
            out[o + i] = Math.exp(x[o + i] - max);
            sum += out[o + i];
        }
        for (int i = 0; i < len; i++) out[o + i] /= sum;
    }

    /** The k largest of x[o .. o+len) among the allowed (null = all), largest first, into out[to ..]. */
    static void topIndices(double[] x, int o, int len, boolean[] allowed, int k, int[] out, int to) {
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int c = 0; c < len; c++) {
                if ((allowed != null && !allowed[c]) || taken(out, to, i, c)) continue;
                if (best < 0 || x[o + c] > x[o + best]) best = c;
            }
            out[to + i] = best;
        }
    }

    private static boolean taken(int[] out, int to, int count, int c) {
        for (int i = 0; i < count; i++) if (out[to + i] == c) return true;
        return false;
    }
}
