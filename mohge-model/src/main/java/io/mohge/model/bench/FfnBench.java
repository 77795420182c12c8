package io.mohge.model.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.mohge.losses.LossConfig;
import io.mohge.losses.LossNames;
import io.mohge.model.DecoderLM;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamCount;

/**
 * Training throughput of dense vs top-k MoE vs MoHGE FFNs with equal expected active FFN width (512) on a small
 * LM (vocab 256, d 128, 2 layers, 4 heads). A step is forward + backward (calculateGradientsAndOutputs with every
 * loss term) + a plain SGD update. Not a test: run it by hand, e.g.
 * <pre>
 *   OMP_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
 *     java -cp mohge-model/target/classes:$(cat cp.txt) io.mohge.model.bench.FfnBench [steps] [batch] [seq] [warmup] [rounds]
 * </pre>
 * Defaults: 10 timed steps, batch 16, seq 128, 2 warm-up steps, 3 rounds. The models are measured in turn in
 * every round (so a burst of load on a shared machine hits all of them); each line gives the median and best
 * round.
 */
public final class FfnBench {

    private FfnBench() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seq = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        LossConfig losses = new LossConfig(1e-5, 64, 0.0, 3e-3, 0.0, 0.0);
        System.out.printf("FfnBench: %d rounds of %d timed steps (+%d warm-up), batch %d, seq %d, OMP_NUM_THREADS=%s%n",
                rounds, steps, warmup, batch, seq, System.getenv("OMP_NUM_THREADS"));
        List<DecoderLM> models = new ArrayList<>();
        for (ModelConfig config : configs(seq)) models.add(DecoderLM.build(config, losses, 1));
        double[][] results = new double[models.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < models.size(); m++) {
                results[m][round] = run(models.get(m), steps, round == 0 ? warmup : 0, batch, seq);
            }
        }
        for (int m = 0; m < models.size(); m++) {
            double[] r = results[m].clone();
            java.util.Arrays.sort(r);
            ParamCount count = models.get(m).paramCount();
            System.out.printf("%-6s total %,9d params, active/token %,9.0f: median %6.0f tokens/s, best %6.0f%n",
                    models.get(m).config().ffn(), count.totalParams(), count.activeParams(), r[r.length / 2],
                    r[r.length - 1]);
        }
    }

    /** Dense width 512; MoE 8 x 256 top-2; MoHGE 4 groups x 2 experts, widths 160..352 (mean 256), top-2 of 2 groups. */
    static List<ModelConfig> configs(int seq) {
        List<ModelConfig> configs = new ArrayList<>();
        for (ModelConfig.FfnType ffn : ModelConfig.FfnType.values()) {
            configs.add(new ModelConfig(256, 128, 2, 4, seq, 10000.0, 1e-6, 0.02, ffn, new ModelConfig.Dense(512),
                    new ModelConfig.Moe(8, 256, 2),
                    new ModelConfig.Mohge(4, 2, List.of(160, 224, 288, 352), 2, 2, ModelConfig.GroupScore.SIGMOID,
                            ModelConfig.GateMode.RENORMALISE),
                    ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS));
        }
        return configs;
    }

    private static double run(DecoderLM model, int steps, int warmup, int batch, int seq) {
        SameDiff sd = model.sameDiff();
        Random random = new Random(1);
        int[][] tokens = new int[batch][seq];
        int[][] targets = new int[batch][seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                tokens[b][t] = random.nextInt(256);
                targets[b][t] = random.nextInt(256);
            }
        }
        Map<String, INDArray> feed = new HashMap<>(model.feed(Nd4j.createFromArray(tokens),
                Nd4j.createFromArray(targets), Nd4j.ones(DataType.FLOAT, batch, seq), 1.0));
        long start = System.nanoTime();
        for (int step = 0; step < warmup + steps; step++) {
            if (step == warmup) start = System.nanoTime();
            OutAndGrad result = sd.calculateGradientsAndOutputs(feed, LossNames.ALL, model.trainableParams());
            for (String name : model.trainableParams()) {
                sd.getArrForVarName(name).subi(result.getGradients().get(name).mul(0.01));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return (double) steps * batch * seq / seconds;
    }
}
