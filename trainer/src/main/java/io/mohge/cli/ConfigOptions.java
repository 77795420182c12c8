package io.mohge.cli;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options every config-driven subcommand shares: base YAML, override YAMLs, and --set overrides. */
public final class ConfigOptions {

    /** The base config when --config is not given, relative to the working directory (the launcher's: the repository). */
    static final Path DEFAULT_CONFIG = Path.of("configs/mohge-tiny.yaml");

    @Option(names = {"-c", "--config"}, paramLabel = "YAML", converter = UserDir.Converter.class,
            description = "Base run config (default: configs/mohge-tiny.yaml of the repository).")
    Path config;

    @Option(names = "--override", paramLabel = "YAML", converter = UserDir.Converter.class,
            description = "Override YAML applied on top of --config; repeatable, later files win.")
    List<Path> overrides = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one key, highest priority; repeatable, e.g. --set trainer.steps=50 "
                    + "--set model.mohge.widths=[64,96,128,160].")
    List<String> sets = new ArrayList<>();

    /** Loads and validates the run config; throws ConfigException with a readable message. */
    public RunConfig load() {
        return ConfigLoader.load(config != null ? config : DEFAULT_CONFIG, overrides, sets);
    }
}
