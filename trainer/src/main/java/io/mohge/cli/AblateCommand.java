package io.mohge.cli;

import io.mohge.ablate.AblationResult;
import io.mohge.ablate.AblationRunner;
import io.mohge.ablate.AblationSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Parameters(paramLabel = "SET", converter = UserDir.Converter.class, description = "Ablation set YAML, e.g. configs/ablations/tiny.yaml.")
    Path setFile;

    @Option(names = "--dry-run", description = "Validate every run's config and print the plan; train nothing.")
    boolean dryRun;

    @Mixin
    TrainingOptions training;

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
        List<AblationResult> rows = AblationRunner.run(set, training.gradients(), training.progressBar());
        out.print(Files.readString(set.outDir().resolve(AblationRunner.RESULTS)));
        out.println("(" + rows.size() + " runs; table and plots in " + set.outDir() + ")");
        out.flush();
        return 0;
    }
}
