package io.mohge.merge;

import io.mohge.config.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * The bandit's reward model: ridge regression of the reward on quadratic features of the merge weights, with an
 * upper confidence bound (LinUCB). For weights w on the simplex over m ranks the features are
 * {@code [1, w_1 .. w_{m-1}, w_i w_j for 1 <= i <= j <= m-1]} (w_0 is implied by the others), so the model can
 * represent a reward that peaks inside the simplex. Rewards are standardised over the observations so far (reward =
 * minus loss), which makes the exploration constant independent of the loss scale:
 * <pre>
 *   A = lambda I + sum x x^T,   theta = A^-1 sum r x,   UCB(x) = theta . x + c sqrt(x^T A^-1 x)
 * </pre>
 */
final class LinearUcb {

    private final int m;
    private final double ridge;
    private final double exploration;
    private final List<double[]> xs = new ArrayList<>();
    private final List<Double> rewards = new ArrayList<>();
    private double[][] inverse;
    private double[] theta;

    LinearUcb(int m, double ridge, double exploration) {
        if (m < 2) throw new IllegalArgumentException("bandit: needs at least 2 weights");
        if (!(ridge > 0)) throw new IllegalArgumentException("bandit: ridge must be positive, got " + ridge);
        if (!(exploration >= 0)) throw new BadInputException("--exploration: must be >= 0, got " + exploration);
        this.m = m;
        this.ridge = ridge;
        this.exploration = exploration;
        fit();
    }

    /** Number of features for m weights. */
    static int featureCount(int m) {
        int k = m - 1;
        return 1 + k + k * (k + 1) / 2;
    }

    static double[] features(double[] w) {
        int k = w.length - 1;
        double[] x = new double[featureCount(w.length)];
        int f = 0;
        x[f++] = 1;
        for (int i = 1; i <= k; i++) x[f++] = w[i];
        for (int i = 1; i <= k; i++) for (int j = i; j <= k; j++) x[f++] = w[i] * w[j];
        return x;
    }

    void observe(double[] weights, double reward) {
        if (weights.length != m) throw new IllegalArgumentException("bandit: expected " + m + " weights");
        if (!Double.isFinite(reward)) throw new IllegalArgumentException("bandit: reward must be finite, got " + reward);
        xs.add(features(weights));
        rewards.add(reward);
        fit();
    }

    /** Predicted standardised reward plus the exploration bonus. */
    double ucb(double[] weights) {
        double[] x = features(weights);
        return dot(theta, x) + exploration * Math.sqrt(Math.max(0, quad(inverse, x)));
    }

    /** Predicted standardised reward. */
    double mean(double[] weights) {
        return dot(theta, features(weights));
    }

    private void fit() {
        int d = featureCount(m);
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) a[i][i] = ridge;
        double mu = 0;
        for (double r : rewards) mu += r / rewards.size();
        double var = 0;
        for (double r : rewards) var += (r - mu) * (r - mu) / rewards.size();
        double sd = Math.sqrt(var) > 1e-12 ? Math.sqrt(var) : 1;
        double[] b = new double[d];
        for (int n = 0; n < xs.size(); n++) {
            double[] x = xs.get(n);
            double r = (rewards.get(n) - mu) / sd;
            for (int i = 0; i < d; i++) {
                b[i] += r * x[i];
                for (int j = 0; j < d; j++) a[i][j] += x[i] * x[j];
            }
        }
        inverse = invert(a);
        theta = new double[d];
        for (int i = 0; i < d; i++) theta[i] = dot(inverse[i], b);
    }

    /** Gauss-Jordan inverse with partial pivoting of a symmetric positive definite matrix. */
    static double[][] invert(double[][] a) {
        int d = a.length;
        double[][] m = new double[d][2 * d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a[i], 0, m[i], 0, d);
            m[i][d + i] = 1;
        }
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
            double[] tmp = m[c];
            m[c] = m[p];
            m[p] = tmp;
            double pivot = m[c][c];
            if (Math.abs(pivot) < 1e-300) throw new IllegalStateException("bandit: singular design matrix");
            for (int j = 0; j < 2 * d; j++) m[c][j] /= pivot;
            for (int r = 0; r < d; r++) {
                if (r == c || m[r][c] == 0) continue;
                double f = m[r][c];
                for (int j = 0; j < 2 * d; j++) m[r][j] -= f * m[c][j];
            }
        }
        double[][] inv = new double[d][d];
        for (int i = 0; i < d; i++) System.arraycopy(m[i], d, inv[i], 0, d);
        return inv;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double quad(double[][] a, double[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * dot(a[i], x);
        return s;
    }
}
