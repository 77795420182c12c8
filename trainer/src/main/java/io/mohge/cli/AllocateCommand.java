package io.mohge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "allocate", mixinStandardHelpOptions = true, description = "Place experts on expert-parallel ranks and print the per-rank balance report.")
final class AllocateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        options.load();
        System.err.println("mohge allocate: not available in this build yet");
        return 3;
    }
}
