package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.config.TrainerConfig;
import io.mohge.data.DataConfig;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Batch;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;

import io.mohge.engine.SwitchPolicy;
import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation loss and perplexity: the mean next-token cross-entropy (nats) over a fixed list of validation
 * batches, and exp of it. Every batch has the same number of tokens, so the mean over batches is the mean
 * over tokens. For a routed model {@link #report} also gives the routing's switch rates (greedy switch decisions)
 * and the expert-cache simulation over the validation tokens, sequence after sequence ({@link ExpertCache}).
 */
public final class Evaluator {

    /**
     * Result of an evaluation.
     *
     * @param routing val_switch_rate, val_set_switch_rate, val_switch_rate.i, val_set_switch_rate.i, val_decision_rate
     *                (controllers), val_loads_per_token.M and val_bytes_per_token.M per cache size M (routed models;
     *                empty for a dense one)
     */
    public record Result(long step, double valLoss, double perplexity, int batches, long tokens,
                         Map<String, Double> routing) { }

    /** Validation loss and routing figures of one evaluation. */
    public record Report(double valLoss, Map<String, Double> routing) { }

    private Evaluator() { }

    /** The routing columns {@link #report} fills for {@code model} and cache sizes (empty for a dense model). */
    public static List<String> routingColumns(ModelConfig model, int[] cacheSizes) {
        List<String> out = new ArrayList<>();
        if (!(model.ffnSpec() instanceof FfnSpec.Routed)) return out;
        for (String c : RoutingStats.switchColumns(model.nLayers(), model.hasController())) out.add("val_" + c);
        for (int m : cacheSizes) {
            out.add("val_loads_per_token." + m);
            out.add("val_bytes_per_token." + m);
        }
        return out;
    }

    /**
     * Mean lm_loss over {@code batches} under greedy switch decisions, the switch rates and, for every cache size
     * M, the expert loads and bytes (fp32 weights) per token of an LRU cache of M experts per layer.
     */
    public static Report report(Transformer model, List<int[][]> batches, int[] cacheSizes) {
        if (batches.isEmpty()) throw new IllegalArgumentException("eval_batches: no validation batch to evaluate");
        ModelConfig m = model.config();
        boolean routed = m.ffnSpec() instanceof FfnSpec.Routed;
        ExpertCache[] caches = new ExpertCache[routed ? cacheSizes.length : 0];
        for (int c = 0; c < caches.length; c++) {
            caches[c] = new ExpertCache(m.nLayers(), cacheSizes[c], ExpertCache.expertBytes(m, 4));
        }
        SwitchPolicy before = model.switchPolicy();
        model.switchPolicy(SwitchPolicy.GREEDY);
        double sum = 0;
        long[][] switches = new long[0][];
        try {
            for (int[][] windows : batches) {
                Batch batch = Batch.ofWindows(windows, m.seqLen());
                Transformer.Result r = model.forward(batch, 0.0);
                sum += r.losses().get(LossNames.LM);
                if (!routed) continue;
                switches = SwitchCounts.add(switches, SwitchCounts.of(r, batch.sequences(), batch.seqLen()));
                for (ExpertCache cache : caches) cache.feed(r.expertSets(), batch.positions());
            }
        } finally {
            model.switchPolicy(before);
        }
        Map<String, Double> routing = new LinkedHashMap<>();
        if (routed) {
            RoutingStats.switchMetrics(switches, m.hasController()).forEach((k, v) -> routing.put("val_" + k, v));
            for (ExpertCache cache : caches) {
                routing.put("val_loads_per_token." + cache.capacity(), cache.loadsPerToken());
                routing.put("val_bytes_per_token." + cache.capacity(), cache.bytesPerToken());
            }
        }
        return new Report(sum / batches.size(), routing);
    }

    /** Mean lm_loss of {@code model} over {@code batches} ([B][T + 1] windows each). */
    public static double valLoss(Transformer model, List<int[][]> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("eval_batches: no validation batch to evaluate");
        double sum = 0;
        for (int[][] batch : batches) {
            sum += model.forward(Batch.ofWindows(batch, model.config().seqLen()), 0.0).losses().get(LossNames.LM);
        }
        return sum / batches.size();
    }

    /**
     * Evaluates the checkpoint in {@code checkpointDir} (the run config saved with it decides the model) on the
     * validation split of {@code dataConfig}, using the trainer's {@code eval_batches} batches of {@code batch_size}
     * sequences.
     */
    public static Result evaluate(Path checkpointDir, DataConfig dataConfig, TrainerConfig trainer) throws IOException {
        return evaluate(checkpointDir, dataConfig, trainer, null);
    }

    /** As {@link #evaluate(Path, DataConfig, TrainerConfig)} with the given expert-cache sizes (null = a quarter and a half). */
    public static Result evaluate(Path checkpointDir, DataConfig dataConfig, TrainerConfig trainer, int[] cacheSizes)
            throws IOException {
        Checkpoint c = CheckpointStore.load(checkpointDir);
        RunConfig trained = ConfigLoader.load(checkpointDir.resolve(CheckpointStore.CONFIG));
        if (trained.model().vocabSize() != dataConfig.vocabSize()) {
            throw new BadInputException("data.tokenizer: checkpoint " + checkpointDir + " has a vocabulary of "
                    + trained.model().vocabSize() + " tokens but the configured data has " + dataConfig.vocabSize()
                    + "; evaluate on data prepared with the tokenizer the model was trained on");
        }
        Transformer model = Transformer.create(trained.model(), trained.losses(), trained.run().seed(), DataType.FLOAT);
        new ModelState(model.params()).load(c.params(), c.routerBiases(), checkpointDir.toString());
        Configuration hconf = new Configuration();
        Prepare.prepare(dataConfig, hconf);
        try (TokenDataset data = TokenDataset.open(dataConfig.dir(), hconf)) {
            int seqLen = trained.model().seqLen();
            List<int[][]> batches = ValidationSplit.batches(data, seqLen, trainer);
            int[] sizes = cacheSizes != null ? cacheSizes : defaultCacheSizes(trained.model());
            Report report = report(model, batches, sizes);
            long tokens = (long) batches.size() * trainer.batchSize() * seqLen;
            return new Result(c.step(), report.valLoss(), Math.exp(report.valLoss()), batches.size(), tokens,
                    report.routing());
        }
    }

    /** A quarter and a half of a routed model's experts per layer (empty for a dense model). */
    public static int[] defaultCacheSizes(ModelConfig m) {
        return m.ffnSpec() instanceof FfnSpec.Routed r ? ExpertCache.defaultSizes(r.experts()) : new int[0];
    }
}
