package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.mixture.MixtureExport;
import io.mohge.mixture.MixtureManifest;
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
        description = {"Export a trained mixture into one directory: every router and expert as an ordinary export "
                + "(routers/router-R, experts/expert-R: weights, config.json, tokenizer, PyTorch code), the shared "
                + "tokenizer.json and mixture.json, the manifest (written last). Default: <run.out_dir>/export."})
final class SmallTalkExportCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", converter = UserDir.Converter.class,
            description = "Output directory (default: <run.out_dir>/export).")
    Path outDir;

    @Override
    public Integer call() throws IOException {
        RunConfig cfg = options.load();
        Path target = outDir != null ? outDir : Path.of(cfg.run().outDir()).resolve("export");
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new BadInputException("--out: " + target + " is an existing file; give a directory (a missing "
                    + "one is created)");
        }
        MixtureManifest m = MixtureExport.export(cfg, target);
        spec.commandLine().getOut().printf("exported a mixture of %d routers and %d experts (router steps %s, expert "
                + "steps %s) -> %s%n", m.experts(), m.experts(), m.routerSteps(), m.expertSteps(), target);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
