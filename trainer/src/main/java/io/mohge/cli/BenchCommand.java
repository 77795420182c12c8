package io.mohge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure training tokens/s of dense, MoE and MoHGE FFNs.")
final class BenchCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        options.load();
        System.err.println("mohge bench: not available in this build yet");
        return 3;
    }
}
