package io.mohge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "ablate", mixinStandardHelpOptions = true, description = "Run a set of configs on the same data and budget and write a comparison table.")
final class AblateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        options.load();
        System.err.println("mohge ablate: not available in this build yet");
        return 3;
    }
}
