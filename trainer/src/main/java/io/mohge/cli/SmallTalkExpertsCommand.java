package io.mohge.cli;

import io.mohge.config.RunConfig;
import io.mohge.distributed.DistributedRuntime;
import io.mohge.mixture.ExpertTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train-experts", mixinStandardHelpOptions = true,
        description = {"Train the mixture's experts, each on its own share of the corpus only (the routers must be "
                + "trained): one after another in this process, or as independent Spark tasks (--distributed). Each "
                + "expert is an ordinary run with its own checkpoints in <run.out_dir>/experts/expert-R and resumes on "
                + "its own; --experts trains some of them (e.g. one per job)."})
final class SmallTalkExpertsCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--resume", description = "Continue experts that have checkpoints (finished ones are skipped).")
    boolean resume;

    @Option(names = "--stop-after", paramLabel = "STEP", defaultValue = "0",
            description = "Pause each expert after this step; resume with --resume.")
    long stopAfter;

    @Option(names = "--experts", paramLabel = "R", split = ",",
            description = "Train only these experts (comma-separated indices; default: all).")
    List<Integer> experts = new ArrayList<>();

    @Option(names = "--distributed", description = "One Spark task per expert (section distributed: embedded "
            + "local[*] by default; under spark-submit the cluster's master).")
    boolean distributed;

    @Option(names = "--no-progress", description = "No console progress bars.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        RunConfig cfg = options.load();
        return train(cfg, new ExpertTraining.Options(resume, !noProgress, stopAfter, experts), distributed,
                spec.commandLine().getOut());
    }

    static int train(RunConfig cfg, ExpertTraining.Options o, boolean distributed, PrintWriter out) throws IOException {
        List<ExpertTraining.Outcome> results = distributed
                ? DistributedRuntime.load().trainExperts(cfg, o) : ExpertTraining.runLocal(cfg, o);
        for (ExpertTraining.Outcome r : results) out.println(r.line());
        out.flush();
        return results.stream().anyMatch(r -> r.stop().equals("NON_FINITE")) ? TrainCommand.EXIT_NON_FINITE : 0;
    }
}
