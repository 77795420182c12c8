package io.mohge.cli;

import io.mohge.ablate.AblationResult;
import io.mohge.ablate.AblationRunner;
import io.mohge.ablate.AblationSet;
import io.mohge.spark.SparkGradients;
import io.mohge.train.LocalGradients;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "ablate", mixinStandardHelpOptions = true,
        description = {"Run a set of configs (configs/ablations/*.yaml) on the same data and budget and write "
                + "results.md (params, params saved vs MoE, val loss, tokens/s, per-GPU imbalance) and loss plots "
                + "into the set's out_dir.",
                "Interrupted sets continue where they stopped: finished runs are not trained again."})
final class AblateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SET", description = "Ablation set YAML, e.g. configs/ablations/tiny.yaml.")
    Path setFile;

    @Option(names = "--distributed", description = "Train every run data-parallel on Spark.")
    boolean distributed;

    @Option(names = "--dry-run", description = "Validate every run's config and print the plan; train nothing.")
    boolean dryRun;

    @Option(names = "--no-progress", description = "No console progress bars.")
    boolean noProgress;

    @Option(names = "--restart-above-gb", paramLabel = "GB", defaultValue = "${sys:mohge.restartAboveGb:-0}",
            description = "Checkpoint and exit with code 75 when resident memory passes GB gigabytes; running the "
                    + "set again continues it (the mohge launcher does this). 0 = never.")
    double restartAboveGb;

    @Override
    public Integer call() throws IOException {
        AblationSet set = AblationSet.read(setFile);
        var out = spec.commandLine().getOut();
        if (dryRun) {
            AblationRunner.resolve(set).forEach((run, cfg) -> out.printf("%-24s ffn %-6s steps %d  -> %s%n", run.name(),
                    cfg.model().ffn().name().toLowerCase(), cfg.trainer().steps(), cfg.run().outDir()));
            out.flush();
            return 0;
        }
        if (restartAboveGb < 0) throw new IllegalArgumentException("--restart-above-gb must be 0 (never) or positive");
        var result = AblationRunner.run(set, distributed ? SparkGradients.factory() : LocalGradients::new,
                !noProgress, (long) (restartAboveGb * 1e9));
        if (result.isEmpty()) return TrainCommand.EXIT_RESTART;
        List<AblationResult> rows = result.get();
        out.print(Files.readString(set.outDir().resolve(AblationRunner.RESULTS)));
        out.println("(" + rows.size() + " runs; table and plots in " + set.outDir() + ")");
        out.flush();
        return 0;
    }
}
