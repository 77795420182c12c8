package io.mohge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a checkpoint as model.safetensors + config.json + placement.json.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() {
        options.load();
        System.err.println("mohge export: not available in this build yet");
        return 3;
    }
}
