package io.mohge.cli;

import io.mohge.ablate.AblationResult;
import io.mohge.ablate.AblationRunner;
import io.mohge.ablate.AblationSet;
import io.mohge.config.BadInputException;
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
        description = {"Run a set of configs (configs/ablations/*.yaml) on the same data and budget, each with every "
                + "seed of the set, and write results.md (params, params saved vs MoE, active params, val loss as "
                + "mean ± sd, differences to the reference run against two standard errors, group token shares, "
                + "per-GPU imbalance), results.csv and loss plots with bands into the set's out_dir.",
                "Interrupted sets continue where they stopped: finished jobs are not trained again.",
                "On 2 cores, run two parts side by side: mohge ablate SET --part 1/2 & mohge ablate SET --part 2/2"})
final class AblateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SET", converter = UserDir.Converter.class, description = "Ablation set YAML, e.g. configs/ablations/tiny.yaml.")
    Path setFile;

    @Option(names = "--dry-run", description = "Validate every run's config and print the plan; train nothing.")
    boolean dryRun;

    @Option(names = "--report", description = "Rebuild results.md, results.csv and the plots from the finished jobs' "
            + "metrics; train nothing.")
    boolean report;

    @Option(names = "--part", paramLabel = "K/N", description = "Train only part K of N of the jobs (every N-th, "
            + "starting at the K-th), so N processes can share the work; the last part to finish writes the table.")
    String part;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() throws IOException {
        AblationSet set = AblationSet.read(setFile);
        AblationRunner.Part selected = parsePart(part);
        var out = spec.commandLine().getOut();
        if (dryRun) {
            int[] position = {0};
            AblationRunner.resolve(set).forEach((job, cfg) -> out.printf("%-32s ffn %-6s steps %d  %s-> %s%n",
                    job.label(), cfg.model().ffn().name().toLowerCase(), cfg.trainer().steps(),
                    selected.includes(position[0]++) ? "" : "(other part) ", cfg.run().outDir()));
            out.flush();
            return 0;
        }
        List<AblationResult> rows = report ? AblationRunner.report(set)
                : AblationRunner.run(set, selected, training.gradients(), training.progressBar());
        if (rows.isEmpty()) {
            out.println("Part " + part + " finished; the table is written when the other parts have run "
                    + "(or later with: mohge ablate " + setFile + " --report).");
        } else {
            out.print(Files.readString(set.outDir().resolve(AblationRunner.RESULTS)));
            out.println("(" + rows.size() + " jobs; table, results.csv and plots in " + set.outDir() + ")");
        }
        out.flush();
        return 0;
    }

    private AblationRunner.Part parsePart(String text) {
        if (text == null) return AblationRunner.Part.ALL;
        if (report) {
            throw new BadInputException("--part selects jobs to train; --report trains nothing, drop one of them");
        }
        String[] kn = text.split("/", -1);
        try {
            if (kn.length == 2) return new AblationRunner.Part(Integer.parseInt(kn[0].trim()), Integer.parseInt(kn[1].trim()));
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new BadInputException("--part '" + text + "' is not K/N; write e.g. --part 1/2");
    }
}
