package io.mohge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "Validation loss and perplexity of a checkpoint.")
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        options.load();
        System.err.println("mohge eval: not available in this build yet");
        return 3;
    }
}
