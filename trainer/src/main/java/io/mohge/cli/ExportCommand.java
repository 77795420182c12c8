package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.export.Exporter;
import io.mohge.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a checkpoint for serving in the Hugging Face layout: model.safetensors, config.json,",
                "generation_config.json, tokenizer.json, modeling_mohge.py (PyTorch) and placement.json.",
                "Default: the newest checkpoint of the config's run, into export.dir (or <run.out_dir>/export)."})
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = "--out", paramLabel = "DIR", converter = UserDir.Converter.class, description = "Output directory (default: export.dir).")
    Path outDir;

    @Override
    public Integer call() throws IOException {
        RunConfig config = options.load();
        Path target = outDir != null ? outDir : Trainer.exportDir(config);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new BadInputException((outDir != null ? "--out" : "export.dir") + ": " + target
                    + " is an existing file, not a directory; the export writes model.safetensors, config.json and "
                    + "placement.json into a directory, so give a directory (a missing one is created)");
        }
        Path dir = checkpoint.resolve(config);
        Exporter.Result r = Exporter.export(dir, target, config.export());
        spec.commandLine().getOut().printf("exported %s: %d tensors, %d parameters, dtype %s -> %s%n", dir, r.tensors(),
                r.parameters(), config.export().dtype(), r.dir());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
