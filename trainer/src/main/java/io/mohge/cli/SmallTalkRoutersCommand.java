package io.mohge.cli;

import io.mohge.config.RunConfig;
import io.mohge.mixture.Assignment;
import io.mohge.mixture.RouterEm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "train-routers", mixinStandardHelpOptions = true,
        description = {"Train the mixture's routers by EM and write the experts' partition: start from a random "
                + "balanced split of the training sequences; every round each router trains "
                + "mixture.router.trainer.steps steps on its sequences, then every router scores every sequence's "
                + "first mixture.prefix_tokens tokens and the sequences are assigned again under mixture.balance. "
                + "Stops after mixture.em_rounds rounds or when the assignment stops changing. Writes under "
                + "run.out_dir (routers/, em/) and mixture.data_dir (default <run.out_dir>/data)."})
final class SmallTalkRoutersCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--resume", description = "Continue the router training in run.out_dir (and rewrite a damaged "
            + "partition from the saved assignment).")
    boolean resume;

    @Option(names = "--stop-after", paramLabel = "STEP", defaultValue = "0",
            description = "Pause once the routers reach this step (of em_rounds x steps per round); resume with --resume.")
    long stopAfter;

    @Option(names = "--no-progress", description = "No console progress bars.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        RunConfig cfg = options.load();
        RouterEm.Result r = RouterEm.run(cfg, new RouterEm.Options(resume, !noProgress, stopAfter));
        report(spec.commandLine().getOut(), cfg, r);
        return 0;
    }

    static void report(PrintWriter out, RunConfig cfg, RouterEm.Result r) {
        int n = cfg.mixture().experts();
        if (r.paused()) {
            out.printf("routers paused in round %d (%d rounds done); continue with --resume%n", r.state().roundsDone() + 1,
                    r.state().roundsDone());
        } else {
            out.printf("routers trained: %d EM rounds (%s); train sequences changing router per round %s%n",
                    r.state().roundsDone(), r.state().stopped(), r.state().changed());
            out.printf("partition: train sequences per expert %s, validation sequences per expert %s%n",
                    Arrays.toString(Assignment.counts(r.assignment().train(), n)),
                    Arrays.toString(Assignment.counts(r.assignment().val(), n)));
        }
        out.flush();
    }
}
