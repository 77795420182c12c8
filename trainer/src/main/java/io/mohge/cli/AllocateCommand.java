package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.files.AtomicFiles;
import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.ExpertLoad;
import io.mohge.allocation.LoadStats;
import io.mohge.allocation.PlacementStrategy;
import io.mohge.allocation.StrategyComparison;
import io.mohge.config.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "allocate", mixinStandardHelpOptions = true,
        description = {"Place the routed experts of the configured model on expert-parallel ranks with every strategy "
                + "and print per-rank parameters, compute (tokens x width) and max/mean imbalance side by side.",
                "Without --load or --group-shares the load is uniform over experts."})
final class AllocateCommand implements Callable<Integer> {

    /** Tokens per expert of a synthetic load; large enough that rounding of group shares is negligible. */
    private static final long SYNTHETIC_TOKENS_PER_EXPERT = 1_000_000L;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--ranks", paramLabel = "N", description = "Expert-parallel ranks (default: allocation.ranks).")
    Integer ranks;

    @Option(names = "--load", paramLabel = "JSON", converter = UserDir.Converter.class,
            description = "Tokens per expert measured by a run (its load-stats.json), summed over layers.")
    Path load;

    @Option(names = "--group-shares", paramLabel = "S", split = ",",
            description = "Synthetic skew: share of tokens per group (equal within a group), e.g. 0.4,0.3,0.2,0.1.")
    List<Double> groupShares;

    @Option(names = "--save", paramLabel = "JSON", converter = UserDir.Converter.class,
            description = "Also write the placement of the configured allocation.strategy to this file.")
    Path save;

    @Override
    public Integer call() throws java.io.IOException {
        RunConfig config = options.load();
        ExpertLayout layout = config.expertLayout().orElseThrow(() -> new BadInputException(
                "model.ffn = dense has no routed experts to place; use an moe or mohge config"));
        int n = BadInputException.whenRefused(
                () -> checkedRanks(layout, ranks != null ? ranks : config.allocation().ranks()));
        if (load != null && groupShares != null) {
            throw new BadInputException("--load and --group-shares both give a load; pass one of them");
        }
        ExpertLoad expertLoad;
        if (load != null) {
            expertLoad = BadInputException.whenRefused(() -> LoadStats.read(load, layout.experts()));
        } else if (groupShares != null) {
            double[] shares = groupShares.stream().mapToDouble(Double::doubleValue).toArray();
            expertLoad = BadInputException.whenRefused(
                    () -> ExpertLoad.groupSkewed(layout, shares, SYNTHETIC_TOKENS_PER_EXPERT * layout.experts()));
        } else {
            expertLoad = ExpertLoad.uniform(layout, SYNTHETIC_TOKENS_PER_EXPERT);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(StrategyComparison.of(layout, n, expertLoad, config.model().dModel()).toTable());
        if (save != null) {
            var strategy = PlacementStrategy.of(config.allocation().strategy(), expertLoad);
            AtomicFiles.writeString(save, BadInputException.whenRefused(() -> strategy.place(layout, n)).toJson());
            out.println("placement (" + PlacementStrategy.nameOf(config.allocation().strategy()) + ") written to " + save);
        }
        out.flush();
        return 0;
    }

    private static int checkedRanks(ExpertLayout layout, int ranks) {
        layout.checkRanks(ranks);
        return ranks;
    }
}
