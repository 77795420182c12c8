package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.export.Exporter;
import java.nio.file.Path;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.train.TrainResult;
import io.mohge.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model from a run config. Prepares data.dir first if needed; writes checkpoints, "
                + "metrics (CSV, JSONL), plots and the resolved config to run.out_dir, and exports at the end "
                + "(export.on_finish).",
                "Exit codes: 0 done, 2 bad input, 4 stopped on a non-finite loss (the last good checkpoint is kept)."})
final class TrainCommand implements Callable<Integer> {

    static final int EXIT_NON_FINITE = 4;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--print-config", description = "Print the resolved config (all defaults filled in) and exit.")
    boolean printConfig;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in run.out_dir.")
    boolean resume;

    @Option(names = "--stop-after", paramLabel = "STEP", defaultValue = "0",
            description = "Pause (with a checkpoint) after this step; resume later with --resume.")
    long stopAfter;

    @Option(names = "--init-from", paramLabel = "CHECKPOINT", converter = UserDir.Converter.class,
            description = "Start from the weights of a trained checkpoint (sets trainer.init_from): a conversion, e.g. "
                    + "with --set model.temporal.controller=true --set trainer.trainable=[controller]; the checkpoint "
                    + "is also the teacher of self-distillation (losses.distill_coef).")
    Path initFrom;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() throws IOException {
        if (initFrom != null) options.sets.add("trainer.init_from='" + initFrom.toString().replace("'", "''") + "'");
        RunConfig config = options.load();
        PrintWriter out = spec.commandLine().getOut();
        if (printConfig) {
            out.print(ConfigLoader.toYaml(config));
            out.flush();
            return 0;
        }
        if (stopAfter < 0) throw new BadInputException("--stop-after must be 0 (no pause) or a step number");
        TrainResult result = Trainer.run(config,
                new Trainer.Options(resume, training.progressBar(), stopAfter),
                training.gradients());
        out.println(result.message());
        Path exported = Exporter.exportFinishedRun(config, result);
        if (exported != null) out.println("exported to " + exported);
        out.flush();
        return result.stop() == TrainResult.Stop.NON_FINITE ? EXIT_NON_FINITE : 0;
    }
}
