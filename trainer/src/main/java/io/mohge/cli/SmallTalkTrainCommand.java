package io.mohge.cli;

import io.mohge.config.RunConfig;
import io.mohge.mixture.ExpertTraining;
import io.mohge.mixture.RouterEm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a whole mixture: the routers (train-routers), then every expert (train-experts).",
                "Exit codes: 0 done, 2 bad input, 4 an expert stopped on a non-finite loss."})
final class SmallTalkTrainCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--resume", description = "Continue the routers and experts in run.out_dir.")
    boolean resume;

    @Option(names = "--distributed", description = "Train the experts as independent Spark tasks.")
    boolean distributed;

    @Option(names = "--no-progress", description = "No console progress bars.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        RunConfig cfg = options.load();
        PrintWriter out = spec.commandLine().getOut();
        RouterEm.Result routed = RouterEm.run(cfg, new RouterEm.Options(resume, !noProgress, 0));
        SmallTalkRoutersCommand.report(out, cfg, routed);
        return SmallTalkExpertsCommand.train(cfg, new ExpertTraining.Options(resume, !noProgress, 0, List.of()),
                distributed, out);
    }
}
