package io.mohge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "prepare", mixinStandardHelpOptions = true, description = "Tokenise the configured corpus into shards and a manifest (file:// or hdfs://).")
final class PrepareCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        options.load();
        System.err.println("mohge prepare: not available in this build yet");
        return 3;
    }
}
