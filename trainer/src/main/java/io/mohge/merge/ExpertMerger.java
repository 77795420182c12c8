package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.export.ExportReader.ExportedModel;
import io.mohge.tensors.FloatTensor;
import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamNames;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the merged model of a {@link MergePlan}: every cluster of m experts becomes one expert whose parameters are
 * the weighted average {@code sum_i w_i theta_i} of its members' (gate, up and down matrices alike), with one weight
 * vector w on the simplex over the cluster's ranks (survivor first) shared by every cluster of the model.
 *
 * <p>The router follows: the merged expert's column of {@code router.expert.weight} (and its selection bias, when
 * the model has one) is the same weighted average of its members' columns, and the router has exactly one column
 * per surviving expert, so the merged model routes over the merged experts only. The group router is unchanged:
 * groups and their widths stay. Everything else (attention, norms, embeddings, shared experts) is copied.
 *
 * <p>Weights (1, 0, ..., 0) give every survivor exactly (bit for bit) and drop the rest: a member with weight 0 is
 * skipped, not multiplied.
 */
public final class ExpertMerger {

    private static final Pattern EXPERT = Pattern.compile("layers\\.(\\d+)\\.ffn\\.experts\\.(\\d+)\\.(w1|w2|w3)\\.weight");
    private static final List<String> MATRICES = List.of("w1", "w2", "w3");

    private ExpertMerger() { }

    static String routerName(int layer) {
        return ParamNames.layer(layer) + ".ffn.router.expert.weight";
    }

    static String expertName(int layer, int expert, String matrix) {
        return ParamNames.layer(layer) + ".ffn.experts." + expert + "." + matrix + ".weight";
    }

    /**
     * The config of the merged model: {@code survivors} experts per group, widths and groups unchanged. top_k must
     * stay within the experts of the selected groups (top_k <= group_top_k x experts_per_group): when the merge
     * leaves fewer, top_k becomes group_top_k x survivors (every expert of the selected groups); otherwise it stays.
     */
    public static ModelConfig mergedConfig(ModelConfig c, int survivors) {
        MergePlan.check(c, survivors, "--experts-per-group");
        return switch (c.ffn()) {
            case DENSE -> throw new IllegalStateException("unreachable: dense models are refused by MergePlan.check");
            case MOE -> new ModelConfig(c.vocabSize(), c.dModel(), c.nLayers(), c.nHeads(), c.seqLen(), c.ropeTheta(),
                    c.normEps(), c.initStd(), c.ffn(), c.dense(),
                    new ModelConfig.Moe(survivors, c.moe().width(), Math.min(c.moe().topK(), survivors)),
                    c.mohge(), c.shared(), c.router());
            case MOHGE -> {
                ModelConfig.Mohge m = c.mohge();
                int topK = Math.min(m.topK(), m.groupTopK() * survivors);
                yield new ModelConfig(c.vocabSize(), c.dModel(), c.nLayers(), c.nHeads(), c.seqLen(), c.ropeTheta(),
                        c.normEps(), c.initStd(), c.ffn(), c.dense(), c.moe(),
                        new ModelConfig.Mohge(m.groups(), survivors, m.widths(), m.groupTopK(), topK, m.groupScore(),
                                m.gateMode()), c.shared(), c.router());
            }
        };
    }

    /** top_k of a routed config. */
    static int topK(ModelConfig c) {
        return ((FfnSpec.Routed) c.ffnSpec()).topK();
    }

    /**
     * The merged model.
     *
     * @param weights one weight per cluster rank, non-negative, summing to 1 (within 1e-6; renormalised exactly)
     * @param dir     the directory the merged model will be written to (names it in messages)
     */
    public static ExportedModel merge(ExportedModel source, MergePlan plan, double[] weights, Path dir) {
        double[] w = normalised(weights, plan.clusterSize());
        ModelConfig config = mergedConfig(source.config(), plan.survivors());
        int experts = MergePlan.routed(source.config()).experts();
        if (plan.layers().size() != source.config().nLayers()) {
            throw new IllegalArgumentException("plan: " + plan.layers().size() + " layers, the model has " + source.config().nLayers());
        }
        Map<String, FloatTensor> params = new TreeMap<>();
        for (Map.Entry<String, FloatTensor> e : source.params().entrySet()) {
            Matcher m = EXPERT.matcher(e.getKey());
            boolean router = e.getKey().endsWith(".ffn.router.expert.weight");
            if (!m.matches() && !router) params.put(e.getKey(), e.getValue());
        }
        Map<String, FloatTensor> biases = new TreeMap<>();
        for (int layer = 0; layer < plan.layers().size(); layer++) {
            List<MergePlan.Cluster> clusters = plan.layers().get(layer);
            for (int c = 0; c < clusters.size(); c++) {
                int[] members = clusters.get(c).members();
                for (String matrix : MATRICES) {
                    FloatTensor[] parts = new FloatTensor[members.length];
                    for (int i = 0; i < members.length; i++) {
                        parts[i] = require(source.params(), expertName(layer, members[i], matrix));
                    }
                    params.put(expertName(layer, c, matrix), average(parts, w));
                }
            }
            params.put(routerName(layer), mergeColumns(require(source.params(), routerName(layer)), clusters, w, experts));
            FloatTensor bias = source.routerBiases().get(ParamNames.expertBias(layer));
            if (bias != null) {
                FloatTensor asMatrix = new FloatTensor(new long[] {1, experts}, bias.data());
                FloatTensor merged = mergeColumns(asMatrix, clusters, w, experts);
                biases.put(ParamNames.expertBias(layer), new FloatTensor(new long[] {clusters.size()}, merged.data()));
            }
        }
        return new ExportedModel(dir, config, params, biases, source.step());
    }

    static double[] normalised(double[] weights, int size) {
        if (weights == null || weights.length != size) {
            throw new IllegalArgumentException("merge weights: expected " + size + " weights (one per cluster member), got "
                    + (weights == null ? "none" : weights.length));
        }
        double sum = 0;
        for (double v : weights) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("merge weights: every weight must be finite and >= 0, got "
                        + java.util.Arrays.toString(weights));
            }
            sum += v;
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("merge weights: must sum to 1, got " + sum + " for "
                    + java.util.Arrays.toString(weights));
        }
        double[] w = weights.clone();
        for (int i = 0; i < w.length; i++) w[i] /= sum;
        return w;
    }

    private static FloatTensor require(Map<String, FloatTensor> params, String name) {
        FloatTensor t = params.get(name);
        if (t == null) throw new BadInputException("export: tensor " + name + " is missing");
        return t;
    }

    /** sum_i w_i parts_i, element by element in double; members with weight 0 are skipped. */
    static FloatTensor average(FloatTensor[] parts, double[] w) {
        long[] shape = parts[0].shape();
        for (FloatTensor p : parts) {
            if (!java.util.Arrays.equals(p.shape(), shape)) {
                throw new IllegalArgumentException("merge: members of a cluster have shapes "
                        + java.util.Arrays.toString(shape) + " and " + java.util.Arrays.toString(p.shape()));
            }
        }
        int n = parts[0].data().length;
        double[] acc = new double[n];
        boolean first = true;
        for (int i = 0; i < parts.length; i++) {
            if (w[i] == 0) continue;
            float[] d = parts[i].data();
            if (first) {
                for (int k = 0; k < n; k++) acc[k] = w[i] * d[k];      // keeps -0.0: (1, 0, ...) is bit-exact
            } else {
                for (int k = 0; k < n; k++) acc[k] += w[i] * d[k];
            }
            first = false;
        }
        float[] out = new float[n];
        for (int k = 0; k < n; k++) out[k] = (float) acc[k];
        return new FloatTensor(shape, out);
    }

    /** [R, E] -> [R, clusters]: column c = sum_i w_i column(member_i). */
    private static FloatTensor mergeColumns(FloatTensor t, List<MergePlan.Cluster> clusters, double[] w, int experts) {
        if (t.rank() != 2 || t.shape()[1] != experts) {
            throw new IllegalArgumentException("merge: expected a [rows, " + experts + "] router tensor, got "
                    + java.util.Arrays.toString(t.shape()));
        }
        int rows = (int) t.shape()[0];
        int k = clusters.size();
        float[] in = t.data();
        float[] out = new float[rows * k];
        for (int c = 0; c < k; c++) {
            int[] members = clusters.get(c).members();
            for (int r = 0; r < rows; r++) {
                double acc = 0;
                boolean first = true;
                for (int i = 0; i < members.length; i++) {
                    if (w[i] == 0) continue;
                    double v = w[i] * in[r * experts + members[i]];
                    acc = first ? v : acc + v;
                    first = false;
                }
                out[r * k + c] = (float) acc;
            }
        }
        return new FloatTensor(new long[] {rows, k}, out);
    }
}
