package io.mohge.engine;

import io.mohge.losses.LossConfig;
import io.mohge.losses.RouterLosses;

/**
 * The auxiliary losses of one routed layer, computed from its {@link Router}'s forward with the pure
 * functions of {@link RouterLosses}, and their gradients pushed back into the router's inputs. Every term is a
 * mean over the layer's n routed positions and already carries its coefficient:
 * <ul>
 *   <li>group-wise loss on P_g = mean_t softmax(a_t)_g and the group counts (G > 1 only), times the
 *       schedule's group_aux_scale;</li>
 *   <li>intra-group loss on P_e = mean_t w_{t,e} (the final gates) and the expert counts;</li>
 *   <li>Switch loss on P_e = mean_t q_{t,e};</li>
 *   <li>z-loss on the logsumexp of the expert logits and, for G > 1, of the group logits.</li>
 * </ul>
 */
final class RouterAux {

    /** Loss values of one forward. */
    record Values(double group, double intra, double switchLoss, double z) {
    }

    private final LossConfig cfg;
    private final double[] cost;
    private RouterLosses.Term group;
    private RouterLosses.Term intra;
    private RouterLosses.Term switchTerm;
    private RouterLosses.Term zExperts;
    private RouterLosses.Term zGroups;
    private double[] groupSoftmax;    // [n*G]
    private double[] expertSoftmax;   // [n*E] softmax over all E (z-loss only)
    private double groupScale;

    RouterAux(LossConfig cfg, java.util.List<Integer> widths) {
        this.cfg = cfg;
        this.cost = RouterLosses.costWeights(widths, cfg.groupInterval());
    }

    Values compute(Router r, double groupAuxScale) {
        this.groupScale = groupAuxScale;
        int n = r.n;
        group = intra = switchTerm = zExperts = zGroups = null;
        groupSoftmax = r.groups > 1 && (cfg.groupCoef() > 0 || cfg.zCoef() > 0) ? softmaxRows(r.a, n, r.groups) : null;
        if (r.groups > 1 && cfg.groupCoef() > 0) {
            group = RouterLosses.groupAux(columnMeans(groupSoftmax, n, r.groups), r.groupCounts, n, r.groupTopK, cost,
                    cfg.groupCoef());
        }
        if (cfg.intraCoef() > 0) {
            double[] meanGates = new double[r.experts];
            for (int s = 0; s < n * r.topK; s++) meanGates[r.selExperts[s]] += r.gates[s] / n;
            intra = RouterLosses.intraAux(meanGates, r.expertCounts, n, r.topK, r.perGroup, r.groupTopK, cfg.intraCoef());
        }
        if (cfg.switchCoef() > 0) {
            switchTerm = RouterLosses.switchAux(columnMeans(r.q, n, r.experts), r.expertCounts, n, r.topK,
                    cfg.switchCoef());
        }
        if (cfg.zCoef() > 0) {
            expertSoftmax = softmaxRows(r.b, n, r.experts);
            zExperts = RouterLosses.zLoss(logSumExpRows(r.b, n, r.experts), cfg.zCoef());
            if (r.groups > 1) zGroups = RouterLosses.zLoss(logSumExpRows(r.a, n, r.groups), cfg.zCoef());
        }
        return new Values(group == null ? 0 : group.value() * groupAuxScale, value(intra), value(switchTerm),
                value(zExperts) + value(zGroups));
    }

    /**
     * Adds scale x the gradients of the last {@link #compute}'s terms: the intra loss to dGates [n*K], the
     * Switch loss to dQ [n*E], the group and z losses to the logit gradients dA [n*G] and dB [n*E].
     */
    void addGradients(Router r, double scale, double[] dGates, double[] dQ, double[] dA, double[] dB) {
        int n = r.n;
        if (intra != null) {
            for (int s = 0; s < n * r.topK; s++) dGates[s] += scale * intra.dP()[r.selExperts[s]] / n;
        }
        if (switchTerm != null) {
            for (int t = 0; t < n; t++) {
                for (int e = 0; e < r.experts; e++) dQ[t * r.experts + e] += scale * switchTerm.dP()[e] / n;
            }
        }
        if (group != null && groupScale != 0) {
            double[] perToken = new double[r.groups];
            for (int g = 0; g < r.groups; g++) perToken[g] = scale * groupScale * group.dP()[g] / n;
            for (int t = 0; t < n; t++) softmaxBackward(groupSoftmax, t * r.groups, r.groups, perToken, dA);
        }
        if (zExperts != null) addLseGradient(expertSoftmax, zExperts.dP(), scale, n, r.experts, dB);
        if (zGroups != null) addLseGradient(groupSoftmax, zGroups.dP(), scale, n, r.groups, dA);
    }

    private static double value(RouterLosses.Term term) {
        return term == null ? 0 : term.value();
    }

    /** d lse_t / d x_t = softmax(x_t). */
    private static void addLseGradient(double[] softmax, double[] dLse, double scale, int n, int cols, double[] dx) {
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < cols; c++) dx[t * cols + c] += scale * dLse[t] * softmax[t * cols + c];
        }
    }

    /** dx[o..] += s * (dy - sum(dy * s)) for softmax output s = sm[o .. o+len). */
    private static void softmaxBackward(double[] sm, int o, int len, double[] dy, double[] dx) {
        double dot = 0;
        for (int i = 0; i < len; i++) dot += dy[i] * sm[o + i];
        for (int i = 0; i < len; i++) dx[o + i] += sm[o + i] * (dy[i] - dot);
    }

    private static double[] softmaxRows(double[] x, int n, int cols) {
        double[] out = new double[n * cols];
        for (int t = 0; t < n; t++) Router.softmax(x, t * cols, cols, out);
        return out;
    }

    private static double[] logSumExpRows(double[] x, int n, int cols) {
        double[] out = new double[n];
        for (int t = 0; t < n; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[t * cols + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(x[t * cols + c] - max);
            out[t] = max + Math.log(sum);
        }
        return out;
    }

    private static double[] columnMeans(double[] x, int n, int cols) {
        double[] out = new double[cols];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < cols; c++) out[c] += x[t * cols + c] / n;
        }
        return out;
    }
}
