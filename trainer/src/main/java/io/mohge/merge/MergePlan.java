package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.tensors.FloatTensor;
import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which experts survive a merge and which experts fold into each survivor, layer by layer and group by group.
 *
 * <p>In every group of N experts the {@code survivors} most-used ones (by the task usage the merge is for) survive;
 * ties go to the lower index. The others fold into the survivors, m - 1 = N / survivors - 1 into each, so every
 * merged expert is the average of a cluster of m experts. A folded expert goes to the survivor whose router column
 * (its row of {@code router.expert.weight} in the export) is closest in cosine similarity among the survivors with
 * room left, the folded experts taken from most to least used: experts the router treats alike merge. Widths never
 * mix: a cluster lies inside one group.
 *
 * <p>A cluster lists its members by rank: the survivor first, then the folded experts from most to least used. The
 * merge weights are one point of the simplex over these ranks ({@link ExpertMerger}).
 *
 * @param survivors experts per group after the merge (N')
 * @param layers    one entry per layer, its clusters in the merged model's expert order e' = g * N' + j'
 */
public record MergePlan(int survivors, List<List<Cluster>> layers) {

    /** A merged expert: global logical indices of the source model, the survivor first. */
    public record Cluster(int group, int[] members) {
        public Cluster {
            if (members == null || members.length == 0) throw new IllegalArgumentException("cluster: no member");
            members = members.clone();
        }

        public int survivor() {
            return members[0];
        }

        @Override
        public int[] members() {
            return members.clone();
        }

        @Override
        public String toString() {
            return "Cluster[group=" + group + ", members=" + Arrays.toString(members) + "]";
        }
    }

    public MergePlan {
        if (survivors < 1) throw new IllegalArgumentException("survivors: at least one expert per group must survive");
        layers = layers.stream().map(List::copyOf).toList();
        int m = -1;
        for (List<Cluster> layer : layers) {
            for (Cluster c : layer) {
                if (m < 0) m = c.members.length;
                if (c.members.length != m) throw new IllegalArgumentException("plan: clusters of different sizes");
            }
        }
    }

    /** Members per cluster (N / N'): the dimension of the merge-weight simplex. */
    public int clusterSize() {
        return layers.get(0).get(0).members.length;
    }

    /** The routed FFN of a model config; a dense model cannot be merged. */
    static FfnSpec.Routed routed(ModelConfig config) {
        if (!(config.ffnSpec() instanceof FfnSpec.Routed r)) {
            throw new BadInputException("--export: the model has a dense FFN, so there are no experts to merge; "
                    + "give the export of a mohge or moe model");
        }
        return r;
    }

    /**
     * The number of survivors per group for a merge ratio (the merged model keeps {@code ratio} of each group's
     * experts), checked against the model.
     */
    static int survivorsFor(ModelConfig config, double ratio, String option) {
        FfnSpec.Routed spec = routed(config);
        int n = spec.expertsPerGroup();
        double exact = n * ratio;
        int survivors = (int) Math.round(exact);
        if (!(ratio > 0 && ratio < 1) || Math.abs(exact - survivors) > 1e-9 || survivors < 1) {
            throw new BadInputException(option + ": " + ratio + " of the " + n + " experts per group is not a whole "
                    + "number of at least 1; the possible ratios are " + possibleRatios(n) + " (experts_per_group must stay >= 1)");
        }
        check(config, survivors, option);
        return survivors;
    }

    /** Checks that {@code survivors} experts per group is a merge this model allows. */
    static void check(ModelConfig config, int survivors, String option) {
        FfnSpec.Routed spec = routed(config);
        int n = spec.expertsPerGroup();
        if (survivors < 1 || survivors >= n || n % survivors != 0) {
            throw new BadInputException(option + ": " + survivors + " of " + n + " experts per group; choose a "
                    + "divisor of " + n + " below " + n + " (ratios " + possibleRatios(n) + "), so every survivor absorbs "
                    + "the same number of experts");
        }
        if (spec.groups() * survivors < 2) {
            throw new BadInputException(option + ": a one-group (moe) model needs at least 2 experts after the "
                    + "merge, got " + survivors + "; keep 2 or more");
        }
    }

    private static String possibleRatios(int n) {
        List<String> r = new ArrayList<>();
        for (int s = 1; s < n; s++) if (n % s == 0) r.add(s + "/" + n);
        return r.isEmpty() ? "none (one expert per group cannot shrink)" : String.join(", ", r);
    }

    /**
     * The plan for a model.
     *
     * @param usage   [layer][expert] usage the merge is for (a task's, or the served mix's)
     * @param params  the model's parameters by checkpoint name (for the router columns)
     */
    public static MergePlan of(ModelConfig config, double[][] usage, Map<String, FloatTensor> params, int survivors) {
        check(config, survivors, "--experts-per-group");
        FfnSpec.Routed spec = routed(config);
        int n = spec.expertsPerGroup();
        int m = n / survivors;
        if (usage.length != config.nLayers()) {
            throw new IllegalArgumentException("usage: expected " + config.nLayers() + " layers, got " + usage.length);
        }
        List<List<Cluster>> layers = new ArrayList<>();
        for (int layer = 0; layer < config.nLayers(); layer++) {
            double[] u = usage[layer];
            if (u.length != spec.experts()) {
                throw new IllegalArgumentException("usage: layer " + layer + " has " + u.length + " experts, expected " + spec.experts());
            }
            float[][] columns = routerColumns(params, layer, spec.experts());
            List<Cluster> clusters = new ArrayList<>();
            for (int g = 0; g < spec.groups(); g++) {
                Integer[] byUse = new Integer[n];
                for (int j = 0; j < n; j++) byUse[j] = g * n + j;
                Arrays.sort(byUse, Comparator.comparingDouble((Integer e) -> -u[e]).thenComparingInt(e -> e));
                int[] kept = new int[survivors];
                for (int s = 0; s < survivors; s++) kept[s] = byUse[s];
                Arrays.sort(kept);                                      // survivors keep their relative order
                int[][] members = new int[survivors][m];
                int[] filled = new int[survivors];
                for (int s = 0; s < survivors; s++) members[s][filled[s]++] = kept[s];
                for (int f = survivors; f < n; f++) {
                    int e = byUse[f];
                    int best = -1;
                    double bestSim = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < survivors; s++) {
                        if (filled[s] == m) continue;
                        double sim = cosine(columns[e], columns[kept[s]]);
                        if (sim > bestSim) {
                            bestSim = sim;
                            best = s;
                        }
                    }
                    members[best][filled[best]++] = e;
                }
                for (int s = 0; s < survivors; s++) clusters.add(new Cluster(g, members[s]));
            }
            layers.add(clusters);
        }
        return new MergePlan(survivors, layers);
    }

    /** Column e of layer i's router.expert.weight [D, E] (checkpoint layout). */
    static float[][] routerColumns(Map<String, FloatTensor> params, int layer, int experts) {
        FloatTensor w = params.get(ExpertMerger.routerName(layer));
        if (w == null || w.rank() != 2 || w.shape()[1] != experts) {
            throw new BadInputException("export: layer " + layer + " has no router.expert.weight of " + experts + " experts");
        }
        int d = (int) w.shape()[0];
        float[][] cols = new float[experts][d];
        float[] data = w.data();
        for (int r = 0; r < d; r++) for (int e = 0; e < experts; e++) cols[e][r] = data[r * experts + e];
        return cols;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
