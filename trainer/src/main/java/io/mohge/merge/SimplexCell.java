package io.mohge.merge;

import java.util.SplittableRandom;

/**
 * A cell of the binary partition of the merge-weight simplex {w >= 0, sum w = 1} over m cluster ranks: itself a
 * simplex, given by its m vertices. The root is the whole simplex (vertices e_0 .. e_{m-1}); a cell splits in two by
 * bisecting its longest edge (ties: the edge with the lowest vertex indices), so cells shrink evenly in every
 * direction as the tree deepens, and every point of the parent lies in one child (or on their shared face).
 *
 * @param vertices m points of the simplex (barycentric coordinates, each summing to 1)
 * @param depth    0 for the root
 * @param point    the cell's candidate weights: the centroid for the root, a uniform random point of the cell for
 *                 the others
 */
record SimplexCell(double[][] vertices, int depth, double[] point) {

    SimplexCell {
        vertices = deepCopy(vertices);
        point = point.clone();
    }

    static SimplexCell root(int m) {
        if (m < 2) throw new IllegalArgumentException("simplex: a merge of clusters of " + m + " has no weights to search");
        double[][] v = new double[m][m];
        for (int i = 0; i < m; i++) v[i][i] = 1;
        return new SimplexCell(v, 0, centroid(v));
    }

    /** The two halves of this cell, each with a fresh random point drawn from {@code rnd}. */
    SimplexCell[] split(SplittableRandom rnd) {
        int m = vertices.length;
        int a = 0, b = 1;
        double longest = -1;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                double d = distance(vertices[i], vertices[j]);
                if (d > longest + 1e-12) {
                    longest = d;
                    a = i;
                    b = j;
                }
            }
        }
        double[] mid = new double[m];
        for (int k = 0; k < m; k++) mid[k] = (vertices[a][k] + vertices[b][k]) / 2;
        double[][] left = deepCopy(vertices);
        double[][] right = deepCopy(vertices);
        left[b] = mid.clone();
        right[a] = mid.clone();
        return new SimplexCell[] {new SimplexCell(left, depth + 1, sample(left, rnd)),
                new SimplexCell(right, depth + 1, sample(right, rnd))};
    }

    /** Longest edge length: how fine the cell is. */
    double diameter() {
        double longest = 0;
        for (int i = 0; i < vertices.length; i++) {
            for (int j = i + 1; j < vertices.length; j++) longest = Math.max(longest, distance(vertices[i], vertices[j]));
        }
        return longest;
    }

    static double[] centroid(double[][] v) {
        int m = v[0].length;
        double[] c = new double[m];
        for (double[] p : v) for (int k = 0; k < m; k++) c[k] += p[k] / v.length;
        return c;
    }

    /** A uniform point of the simplex spanned by {@code v}: Dirichlet(1, ..., 1) barycentric weights. */
    static double[] sample(double[][] v, SplittableRandom rnd) {
        double[] lambda = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            lambda[i] = -Math.log(1 - rnd.nextDouble());
            sum += lambda[i];
        }
        int m = v[0].length;
        double[] p = new double[m];
        for (int i = 0; i < v.length; i++) for (int k = 0; k < m; k++) p[k] += lambda[i] / sum * v[i][k];
        double total = 0;
        for (double x : p) total += x;
        for (int k = 0; k < m; k++) p[k] /= total;          // exactly on the simplex despite rounding
        return p;
    }

    private static double distance(double[] x, double[] y) {
        double s = 0;
        for (int k = 0; k < x.length; k++) s += (x[k] - y[k]) * (x[k] - y[k]);
        return Math.sqrt(s);
    }

    private static double[][] deepCopy(double[][] v) {
        double[][] c = new double[v.length][];
        for (int i = 0; i < v.length; i++) c[i] = v[i].clone();
        return c;
    }

    @Override
    public double[][] vertices() {
        return deepCopy(vertices);
    }

    @Override
    public double[] point() {
        return point.clone();
    }
}
