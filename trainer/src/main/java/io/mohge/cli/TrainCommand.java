package io.mohge.cli;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model from a run config; resumes from the latest checkpoint in run.out_dir.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--print-config", description = "Print the resolved config (all defaults filled in) and exit.")
    boolean printConfig;

    @Override
    public Integer call() {
        RunConfig config = options.load();
        if (printConfig) {
            spec.commandLine().getOut().print(ConfigLoader.toYaml(config));
            spec.commandLine().getOut().flush();
            return 0;
        }
        spec.commandLine().getErr().println("mohge train: not available in this build yet");
        return 3;
    }
}
