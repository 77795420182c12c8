package io.mohge.bench;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.engine.Kernels;
import io.mohge.engine.Transformer;
import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;
import io.mohge.train.AdamW;
import io.mohge.train.Flops;
import io.mohge.train.GradClip;
import io.mohge.train.GradientStep;
import io.mohge.train.ModelState;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Training throughput of the engine. A timed step is one whole optimizer step as the trainer runs it: forward and
 * backward ({@link GradientStep}), global-norm clipping, AdamW and the router-bias update, on random tokens. All
 * cases are measured in turn within every round, so a busy machine slows them alike, and each figure is the
 * median over rounds of the round's median step time.
 */
public final class TrainingBench {

    /** One model to measure. */
    public record Case(String name, RunConfig config) { }

    /** How long to measure. */
    public record Options(int warmup, int steps, int rounds) {
        public Options {
            if (warmup < 0 || steps < 1 || rounds < 1) {
                throw new BadInputException("--warmup must be 0 or more, --steps and --rounds 1 or more");
            }
        }
    }

    /**
     * The figures of one case.
     *
     * @param stepMs     median step time, and the fastest and slowest round's median
     * @param gflops     achieved training FLOP/s (6 N_active + 12 L d T per token, {@link Flops}), in GFLOP/s
     * @param mfu        gflops over the measured peak
     * @param torchTokensPerSecond median tokens/s of the PyTorch anchor in the same rounds (NaN when not run)
     */
    public record Figure(String name, long parameters, double activeParams, double stepMs, double minMs, double maxMs,
                         double tokensPerSecond, double gflops, double mfu, double torchTokensPerSecond) { }

    /** A built model with its optimizer and some random batches. */
    private static final class Runner {
        final Case c;
        final Transformer model;
        final GradientStep step;
        final Kernels kernels = Kernels.forType(DataType.FLOAT);
        final AdamW optimizer;
        final List<List<int[][]>> batches = new ArrayList<>();
        final long tokensPerStep;
        final double flopsPerToken;
        int next;

        Runner(Case c) {
            this.c = c;
            RunConfig cfg = c.config();
            ModelConfig m = cfg.model();
            model = Transformer.create(m, cfg.losses(), cfg.run().seed(), DataType.FLOAT);
            step = new GradientStep(model, cfg.run().seed());
            optimizer = new AdamW(cfg.trainer(), new ModelState(model.params()), kernels);
            Random random = new Random(cfg.run().seed());
            int b = cfg.trainer().batchSize();
            for (int i = 0; i < 4; i++) {
                List<int[][]> micro = new ArrayList<>();
                for (int a = 0; a < cfg.trainer().gradAccum(); a++) {
                    int[][] windows = new int[b][m.seqLen() + 1];
                    for (int[] w : windows) for (int t = 0; t < w.length; t++) w[t] = random.nextInt(m.vocabSize());
                    micro.add(windows);
                }
                batches.add(micro);
            }
            tokensPerStep = (long) b * cfg.trainer().gradAccum() * m.seqLen();
            GradientStep.Result r = runStep();                         // also the first warm-up step
            flopsPerToken = Flops.perToken(m, routedWidth(m, r));
        }

        GradientStep.Result runStep() {
            GradientStep.Result r = step.compute(batches.get(next++ % batches.size()), 1.0);
            GradClip.clip(kernels, r.grads(), c.config().trainer().clipNorm());
            optimizer.update(r.grads(), 1e-4);
            model.updateRouterBiases(r.tokensPerExpert());
            return r;
        }

        double timeStepMs() {
            long t0 = System.nanoTime();
            runStep();
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private TrainingBench() { }

    /**
     * Measures every case; prints a line per case and round to {@code progress}. With an {@code anchor}, every case
     * is also trained in PyTorch right after its Java measurement in every round.
     */
    public static List<Figure> run(List<Case> cases, Options o, double peakFlops, TorchAnchor anchor,
                                   Consumer<String> progress) throws IOException, InterruptedException {
        List<Runner> runners = new ArrayList<>();
        for (Case c : cases) {
            Runner r = new Runner(c);
            for (int i = 1; i < o.warmup(); i++) r.runStep();
            runners.add(r);
        }
        double[][] roundMedians = new double[cases.size()][o.rounds()];
        double[][] torch = new double[cases.size()][o.rounds()];
        for (int round = 0; round < o.rounds(); round++) {
            for (int i = 0; i < runners.size(); i++) {
                double[] times = new double[o.steps()];
                for (int s = 0; s < times.length; s++) times[s] = runners.get(i).timeStepMs();
                roundMedians[i][round] = median(times);
                progress.accept(String.format(Locale.ROOT, "round %d/%d  %-22s %8.1f ms/step", round + 1, o.rounds(),
                        cases.get(i).name(), roundMedians[i][round]));
                if (anchor != null) {
                    TorchAnchor.Result t = anchor.run(cases.get(i).config(), o.warmup(), o.steps());
                    torch[i][round] = t.tokensPerSecond();
                    progress.accept(String.format(Locale.ROOT, "round %d/%d  %-22s %8.0f tokens/s in PyTorch (%s)",
                            round + 1, o.rounds(), cases.get(i).name(), t.tokensPerSecond(), t.blas()));
                }
            }
        }
        List<Figure> out = new ArrayList<>();
        for (int i = 0; i < runners.size(); i++) {
            Runner r = runners.get(i);
            double ms = median(roundMedians[i]);
            double tps = r.tokensPerStep / (ms / 1e3);
            double gflops = r.flopsPerToken * tps / 1e9;
            out.add(new Figure(r.c.name(), r.model.params().size(), (r.flopsPerToken - attentionFlops(r.c)) / 6, ms,
                    Arrays.stream(roundMedians[i]).min().orElseThrow(), Arrays.stream(roundMedians[i]).max().orElseThrow(),
                    tps, gflops, gflops * 1e9 / peakFlops, anchor == null ? Double.NaN : median(torch[i])));
        }
        return out;
    }

    /**
     * Resident memory over a long run of one case: the process's resident bytes after each step in {@code at}
     * (ascending step numbers).
     */
    public static long[] memory(Case c, long[] at, Consumer<String> progress) {
        Runner r = new Runner(c);
        long[] rss = new long[at.length];
        long step = 1;
        for (int i = 0; i < at.length; i++) {
            while (step < at[i]) {
                r.runStep();
                step++;
            }
            rss[i] = Pointer.physicalBytes();
            progress.accept(String.format(Locale.ROOT, "step %6d  resident %.3f GB", at[i], rss[i] / 1e9));
        }
        return rss;
    }

    /** A Markdown table of the figures. */
    public static String table(List<Figure> figures, double peakFlops) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "measured peak (single gemm): %.1f GFLOP/s%n%n", peakFlops / 1e9));
        boolean torch = figures.stream().anyMatch(f -> !Double.isNaN(f.torchTokensPerSecond()));
        sb.append("| model | params | active params/token | ms/step (median) | rounds min-max | tokens/s | GFLOP/s | MFU |")
                .append(torch ? " PyTorch tokens/s | vs PyTorch |\n" : "\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|").append(torch ? "---:|---:|\n" : "\n");
        for (Figure f : figures) {
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.1f | %.1f-%.1f | %,.0f | %.1f | %.2f |", f.name(),
                    f.parameters(), f.activeParams(), f.stepMs(), f.minMs(), f.maxMs(), f.tokensPerSecond(), f.gflops(),
                    f.mfu()));
            if (torch) {
                sb.append(String.format(Locale.ROOT, " %,.0f | %.2fx |", f.torchTokensPerSecond(),
                        f.tokensPerSecond() / f.torchTokensPerSecond()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static double attentionFlops(Case c) {
        ModelConfig m = c.config().model();
        return 12.0 * m.nLayers() * m.dModel() * m.seqLen();
    }

    /** Summed width of the experts a token used, averaged over tokens and layers (0 for a dense FFN). */
    private static double routedWidth(ModelConfig m, GradientStep.Result r) {
        if (!(m.ffnSpec() instanceof FfnSpec.Routed spec)) return 0;
        int[] widths = new int[spec.experts()];
        for (int e = 0; e < widths.length; e++) widths[e] = spec.width(e);
        double sum = 0;
        for (long[] layer : r.tokensPerExpert()) sum += Flops.routedWidthPerToken(layer, widths, r.tokens());
        return sum / r.tokensPerExpert().length;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
