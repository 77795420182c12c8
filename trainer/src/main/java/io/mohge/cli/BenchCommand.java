package io.mohge.cli;

import io.mohge.bench.DistributedBench;
import io.mohge.bench.TorchAnchor;
import io.mohge.bench.TrainingBench;
import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.config.DistributedConfig;
import io.mohge.distributed.DistributedRuntime;
import io.mohge.train.Flops;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure training throughput (forward + backward + clip + AdamW per step, random tokens): "
                + "tokens/s, achieved GFLOP/s and MFU against the measured gemm peak.",
                "Sweeps: main = the main job's MoHGE model and its dense and top-k MoE baselines (configs/ffn/*.yaml "
                + "next to the base config); experts = MoHGE with 8, 16, 32 and 64 experts at equal active width; "
                + "width = MoHGE at d_model 128, 256 and 512. Cases are measured in turn in every round; figures are "
                + "medians over rounds. Run it on a quiet machine.",
                "--distributed: scale-out of data-parallel training on Spark instead (see README.md, \"Running on a "
                + "cluster\"): per worker count one Spark application, per model size and aggregation whole optimizer "
                + "steps; step time split into broadcast, worker compute, aggregation and driver update; bytes moved per "
                + "step. Submit it with spark-submit to measure a cluster; without one it runs local[N]."})
final class BenchCommand implements Callable<Integer> {

    enum Sweep { main, experts, width, all }

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--sweep", defaultValue = "main", description = "main, experts, width or all (default: ${DEFAULT-VALUE}).")
    Sweep sweep;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per case and round (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps per case first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--torch", description = "Also train every case in eager PyTorch (bench/torch_anchor.py, one "
            + "thread) in the same rounds and report the ratio. Needs python3-torch, and libopenblas0-pthread for "
            + "meaningful PyTorch figures.")
    boolean torch;

    @Option(names = "--memory-steps", paramLabel = "N", defaultValue = "0",
            description = "Instead of throughput: train the main MoHGE model for N steps and report resident memory "
                    + "after step 100, ..., N (0 = off).")
    long memorySteps;

    @Option(names = "--distributed", description = "Measure data-parallel scale-out on Spark (see above).")
    boolean distributed;

    @Option(names = "--params", split = ",", paramLabel = "SIZE", defaultValue = "1m,10m,100m",
            description = "With --distributed: model sizes, of 1m, 10m, 100m (default: ${DEFAULT-VALUE}).")
    List<String> params;

    @Option(names = "--workers", split = ",", paramLabel = "N", defaultValue = "1,2,4",
            description = "With --distributed: worker counts, one Spark application each (default: ${DEFAULT-VALUE}).")
    List<Integer> workers;

    @Option(names = "--aggregation", split = ",", paramLabel = "MODE", defaultValue = "tree,sharded",
            description = "With --distributed: tree, sharded or both (default: ${DEFAULT-VALUE}).")
    List<String> aggregations;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4",
            description = "With --distributed: sequences per worker and step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq-len", paramLabel = "T", defaultValue = "128",
            description = "With --distributed: tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Override
    public Integer call() throws java.io.IOException, InterruptedException {
        if (distributed) return distributed();
        TrainingBench.Options o = new TrainingBench.Options(warmup, steps, rounds);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunConfig main = variant(List.of(), List.of());
        if (memorySteps > 0) return memory(main, out, err);
        List<TrainingBench.Case> cases = new ArrayList<>();
        if (sweep == Sweep.main || sweep == Sweep.all) {
            cases.add(new TrainingBench.Case("dense", variant(List.of(ffnOverride("dense")), List.of())));
            cases.add(new TrainingBench.Case("moe", variant(List.of(ffnOverride("moe")), List.of())));
            cases.add(new TrainingBench.Case("mohge", main));
        }
        if (sweep == Sweep.experts || sweep == Sweep.all) {
            for (int perGroup : new int[] {2, 4, 8, 16}) {
                int experts = perGroup * main.model().mohge().groups();
                cases.add(new TrainingBench.Case("mohge " + experts + " experts",
                        variant(List.of(), List.of("model.mohge.experts_per_group=" + perGroup))));
            }
        }
        if (sweep == Sweep.width || sweep == Sweep.all) {
            for (int d : new int[] {128, 256, 512}) cases.add(new TrainingBench.Case("mohge d_model " + d, scaled(main, d)));
        }
        double peak = Flops.measurePeak(1024, 5);
        TorchAnchor anchor = torch ? TorchAnchor.find(Path.of("").toAbsolutePath()) : null;
        List<TrainingBench.Figure> figures = TrainingBench.run(cases, o, peak, anchor, err::println);
        out.print(TrainingBench.table(figures, peak));
        double e8 = stepMs(figures, "mohge 8 experts");
        double e64 = stepMs(figures, "mohge 64 experts");
        if (e8 > 0 && e64 > 0) out.printf(Locale.ROOT, "step time 64 / 8 experts: %.2f%n", e64 / e8);
        out.flush();
        return 0;
    }

    private int distributed() throws java.io.IOException {
        if (torch || memorySteps > 0) {
            throw new BadInputException("--distributed does not combine with --torch or --memory-steps");
        }
        List<DistributedBench.Size> sizes = params.stream().map(DistributedBench.Size::of).toList();
        List<DistributedConfig.Aggregation> aggs = aggregations.stream().map(BenchCommand::aggregation).toList();
        DistributedBench.Options o = new DistributedBench.Options(sizes, workers, aggs, warmup, steps, batch, seqLen);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DistributedRuntime runtime = DistributedRuntime.load();
        List<DistributedBench.Figure> figures = runtime.scaleOut(sets -> variant(List.of(), sets), o, line -> {
            err.println(line);
            err.flush();
        });
        out.print(DistributedBench.table(figures));
        out.flush();
        return 0;
    }

    private static DistributedConfig.Aggregation aggregation(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "tree" -> DistributedConfig.Aggregation.TREE;
            case "sharded" -> DistributedConfig.Aggregation.SHARDED;
            default -> throw new BadInputException("--aggregation: '" + name + "' is not one of tree, sharded");
        };
    }

    private int memory(RunConfig main, PrintWriter out, PrintWriter err) {
        if (memorySteps < 100) throw new BadInputException("--memory-steps must be 100 or more (or 0 = off)");
        List<Long> at = new ArrayList<>(List.of(100L));
        for (int i = 1; i <= 10; i++) at.add(Math.max(101, memorySteps * i / 10));
        long[] steps = at.stream().mapToLong(Long::longValue).distinct().sorted().toArray();
        long[] rss = TrainingBench.memory(new TrainingBench.Case("mohge", main), steps, err::println);
        long peak = java.util.Arrays.stream(rss).max().orElseThrow();
        out.printf(Locale.ROOT, "resident memory: step 100 %.3f GB, step %d %.3f GB (ratio %.3f), peak %.3f GB%n",
                rss[0] / 1e9, steps[steps.length - 1], rss[rss.length - 1] / 1e9, (double) rss[rss.length - 1] / rss[0],
                peak / 1e9);
        out.flush();
        return 0;
    }

    /** The base config with more overrides and sets. */
    private RunConfig variant(List<Path> overrides, List<String> sets) {
        List<Path> o = new ArrayList<>(options.overrides);
        o.addAll(overrides);
        List<String> s = new ArrayList<>(options.sets);
        s.addAll(sets);
        return ConfigLoader.load(basePath(), o, s);
    }

    /** The main config at d_model d: heads of 32, expert widths scaled with d. */
    private RunConfig scaled(RunConfig main, int d) {
        double f = (double) d / main.model().dModel();
        StringBuilder widths = new StringBuilder();
        for (int w : main.model().mohge().widths()) widths.append(widths.length() == 0 ? "[" : ",").append(Math.round(w * f));
        return variant(List.of(), List.of("model.d_model=" + d, "model.n_heads=" + d / 32,
                "model.mohge.widths=" + widths + "]"));
    }

    private Path basePath() {
        return options.config != null ? options.config : ConfigOptions.DEFAULT_CONFIG;
    }

    private Path ffnOverride(String ffn) {
        Path base = basePath().toAbsolutePath().getParent();
        Path p = base.resolve("ffn").resolve(ffn + ".yaml");
        if (!Files.isRegularFile(p)) {
            throw new BadInputException("bench: the " + ffn + " baseline is read from " + p + ", which does not "
                    + "exist; run from the repository or give --config configs/mohge-tiny.yaml");
        }
        return p;
    }

    private static double stepMs(List<TrainingBench.Figure> figures, String name) {
        return figures.stream().filter(f -> f.name().equals(name)).mapToDouble(TrainingBench.Figure::stepMs).findFirst()
                .orElse(-1);
    }
}
