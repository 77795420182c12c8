package io.mohge.merge;

import io.mohge.engine.Transformer;
import io.mohge.export.ExportReader.ExportedModel;
import io.mohge.tensors.FloatTensor;
import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;
import io.mohge.train.ModelState;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpertMergerTest {

    static final Path DIR = Path.of("merged");

    static ModelConfig config(int perGroup, int groupTopK, int topK, ModelConfig.Router router) {
        return new ModelConfig(64, 16, 2, 2, 8, 10000.0, 1e-6, 0.02, ModelConfig.FfnType.MOHGE,
                ModelConfig.Dense.DEFAULTS, ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(4, perGroup, List.of(8, 12, 16, 20), groupTopK, topK, GroupScore.SIGMOID,
                        GateMode.RENORMALISE), new ModelConfig.Shared(1, 8), router);
    }

    /** A model with the engine's random initial weights and random router biases. */
    static ExportedModel model(ModelConfig config, long seed) {
        Transformer lm = Transformer.create(config, LossConfig.DEFAULTS, seed, DataType.FLOAT);
        ModelState state = new ModelState(lm.params());
        Map<String, FloatTensor> biases = new TreeMap<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        state.stateTensors().forEach((name, t) -> {
            float[] d = new float[t.data().length];
            for (int i = 0; i < d.length; i++) d[i] = (float) (0.05 * rnd.nextGaussian());
            biases.put(name, new FloatTensor(t.shape(), d));
        });
        return new ExportedModel(Path.of("source"), config, state.paramTensors(), biases, 7);
    }

    static double[][] usage(int layers, int experts, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] u = new double[layers][experts];
        for (double[] row : u) for (int e = 0; e < experts; e++) row[e] = rnd.nextDouble();
        return u;
    }

    static float[] column(FloatTensor router, int e) {
        int d = (int) router.shape()[0];
        int experts = (int) router.shape()[1];
        float[] c = new float[d];
        for (int r = 0; r < d; r++) c[r] = router.data()[r * experts + e];
        return c;
    }

    @Test
    void keepWeightsReproduceTheSurvivorsExactlyAndDropTheRest() {
        ModelConfig cfg = config(4, 2, 3, new ModelConfig.Router(0.0, 0.01));
        ExportedModel source = model(cfg, 1);
        for (int survivors : new int[] {1, 2}) {
            MergePlan plan = MergePlan.of(cfg, usage(2, 16, 3), source.params(), survivors);
            double[] keep = new double[4 / survivors];
            keep[0] = 1;
            ExportedModel merged = ExpertMerger.merge(source, plan, keep, DIR);
            assertEquals(survivors, merged.config().mohge().expertsPerGroup());
            assertEquals(Math.min(3, 2 * survivors), merged.config().mohge().topK(), "top_k shrinks to group_top_k x survivors");
            for (int layer = 0; layer < 2; layer++) {
                List<MergePlan.Cluster> clusters = plan.layers().get(layer);
                assertEquals(4 * survivors, clusters.size());
                String prefix = "layers." + layer + ".ffn.";
                FloatTensor router = merged.params().get(prefix + "router.expert.weight");
                assertArrayEquals(new long[] {16, 4L * survivors}, router.shape());
                float[] bias = merged.routerBiases().get(prefix + "router.expert_bias").data();
                for (int c = 0; c < clusters.size(); c++) {
                    int kept = clusters.get(c).survivor();
                    assertEquals(c / survivors, clusters.get(c).group(), "clusters stay in their group, in group order");
                    for (String w : List.of("w1", "w2", "w3")) {
                        FloatTensor got = merged.params().get(prefix + "experts." + c + "." + w + ".weight");
                        FloatTensor want = source.params().get(prefix + "experts." + kept + "." + w + ".weight");
                        assertTrue(got.bitEquals(want), "layer " + layer + " expert " + c + " " + w + " = source expert " + kept);
                    }
                    assertArrayEquals(column(source.params().get(prefix + "router.expert.weight"), kept), column(router, c), 0f);
                    assertEquals(source.routerBiases().get(prefix + "router.expert_bias").data()[kept], bias[c], 0f);
                }
                assertFalse(merged.params().containsKey(prefix + "experts." + 4 * survivors + ".w1.weight"));
            }
            for (String name : source.params().keySet()) {
                if (!name.contains(".experts.") && !name.contains("router.expert.")) {
                    assertTrue(source.params().get(name).bitEquals(merged.params().get(name)), name + " is copied");
                }
            }
        }
    }

    @Test
    void mergedParametersAreTheWeightedAverageOfTheCluster() {
        ModelConfig cfg = config(2, 2, 2, ModelConfig.Router.DEFAULTS);
        ExportedModel source = model(cfg, 2);
        MergePlan plan = MergePlan.of(cfg, usage(2, 8, 4), source.params(), 1);
        ExportedModel merged = ExpertMerger.merge(source, plan, new double[] {0.25, 0.75}, DIR);
        int[] members = plan.layers().get(1).get(2).members();
        float[] a = source.params().get("layers.1.ffn.experts." + members[0] + ".w2.weight").data();
        float[] b = source.params().get("layers.1.ffn.experts." + members[1] + ".w2.weight").data();
        float[] got = merged.params().get("layers.1.ffn.experts.2.w2.weight").data();
        for (int i = 0; i < got.length; i++) assertEquals((float) (0.25 * a[i] + 0.75 * b[i]), got[i], 0f);
        float[] ca = column(source.params().get("layers.1.ffn.router.expert.weight"), members[0]);
        float[] cb = column(source.params().get("layers.1.ffn.router.expert.weight"), members[1]);
        float[] cm = column(merged.params().get("layers.1.ffn.router.expert.weight"), 2);
        for (int i = 0; i < cm.length; i++) assertEquals((float) (0.25 * ca[i] + 0.75 * cb[i]), cm[i], 0f);
        assertTrue(merged.routerBiases().isEmpty(), "no bias without bias balancing");
        assertEquals(2, merged.config().mohge().topK(), "top_k 2 <= group_top_k 2 x 1 stays");
        assertThrows(IllegalArgumentException.class, () -> ExpertMerger.merge(source, plan, new double[] {0.5, 0.6}, DIR));
        assertThrows(IllegalArgumentException.class, () -> ExpertMerger.merge(source, plan, new double[] {1.5, -0.5}, DIR));
        assertThrows(IllegalArgumentException.class, () -> ExpertMerger.merge(source, plan, new double[] {1}, DIR));
    }

    @Test
    void theMostUsedSurviveAndFoldedExpertsJoinTheSurvivorTheRouterTreatsAlike() {
        ModelConfig cfg = config(4, 2, 3, ModelConfig.Router.DEFAULTS);
        ExportedModel source = model(cfg, 5);
        Map<String, FloatTensor> params = new TreeMap<>(source.params());
        // layer 0, group 0: router columns 0 ~ 3 and 2 ~ 1 (nearly parallel), the pairs orthogonal
        FloatTensor router = params.get("layers.0.ffn.router.expert.weight");
        float[] d = router.data().clone();
        for (int r = 0; r < 16; r++) {
            d[r * 16] = r < 8 ? 1 : 0.01f;
            d[r * 16 + 3] = r < 8 ? 0.9f : 0;
            d[r * 16 + 2] = r < 8 ? 0 : 1;
            d[r * 16 + 1] = r < 8 ? 0.02f : 0.8f;
        }
        params.put("layers.0.ffn.router.expert.weight", new FloatTensor(router.shape(), d));
        double[][] usage = usage(2, 16, 9);
        usage[0][0] = 0.2;
        usage[0][1] = 0.5;
        usage[0][2] = 0.1;
        usage[0][3] = 0.9;
        MergePlan plan = MergePlan.of(cfg, usage, params, 2);
        assertArrayEquals(new int[] {1, 2}, plan.layers().get(0).get(0).members(), "survivor 1 (2nd most used) absorbs 2");
        assertArrayEquals(new int[] {3, 0}, plan.layers().get(0).get(1).members(), "survivor 3 (most used) absorbs 0");
        MergePlan one = MergePlan.of(cfg, usage, params, 1);
        assertArrayEquals(new int[] {3, 1, 0, 2}, one.layers().get(0).get(0).members(), "ranks by usage");
        assertEquals(4, one.clusterSize());
    }

    @Test
    void impossibleRatiosAndDenseModelsAreRefused() {
        ModelConfig cfg = config(2, 2, 2, ModelConfig.Router.DEFAULTS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergePlan.survivorsFor(cfg, 0.25, "--ratio"));
        assertTrue(e.getMessage().startsWith("--ratio: 0.25 of the 2 experts per group"), e.getMessage());
        assertTrue(e.getMessage().contains("1/2") && e.getMessage().contains("experts_per_group must stay >= 1"), e.getMessage());
        assertEquals(1, MergePlan.survivorsFor(cfg, 0.5, "--ratio"));
        assertEquals(1, MergePlan.survivorsFor(config(4, 2, 3, ModelConfig.Router.DEFAULTS), 0.25, "--ratio"));
        assertThrows(IllegalArgumentException.class, () -> MergePlan.survivorsFor(config(4, 2, 3, ModelConfig.Router.DEFAULTS), 0.75, "--ratio"));
        ModelConfig dense = new ModelConfig(64, 16, 2, 2, 8, 10000.0, 1e-6, 0.02, ModelConfig.FfnType.DENSE,
                ModelConfig.Dense.DEFAULTS, ModelConfig.Moe.DEFAULTS, ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> MergePlan.survivorsFor(dense, 0.5, "--ratio"));
        assertTrue(d.getMessage().startsWith("--export: the model has a dense FFN"), d.getMessage());
        ModelConfig moe = new ModelConfig(64, 16, 2, 2, 8, 10000.0, 1e-6, 0.02, ModelConfig.FfnType.MOE,
                ModelConfig.Dense.DEFAULTS, new ModelConfig.Moe(4, 8, 3), ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
        assertEquals(2, ExpertMerger.mergedConfig(moe, 2).moe().topK(), "moe: top_k 3 of 2 experts becomes 2");
        assertThrows(IllegalArgumentException.class, () -> ExpertMerger.mergedConfig(moe, 1), "a moe keeps >= 2 experts");
        assertEquals(List.of(0.25, 0.75), Arrays.stream(ExpertMerger.normalised(new double[] {0.25, 0.75}, 2)).boxed().toList());
    }
}
