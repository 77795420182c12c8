package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.train.Trainer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code --checkpoint DIR}, defaulting to the newest checkpoint of the config's run. */
final class CheckpointOption {

    @Option(names = "--checkpoint", paramLabel = "DIR", converter = UserDir.Converter.class,
            description = "A checkpoint directory (.../checkpoints/step-NNNNNN); default: the newest one of the run.")
    Path checkpoint;

    Path resolve(RunConfig config) throws IOException {
        if (checkpoint != null) return checkpoint;
        return Trainer.latestCheckpoint(config).orElseThrow(() -> new BadInputException(
                "run.out_dir: no checkpoint under " + Trainer.checkpointRoot(config)
                        + "; train first (mohge train) or pass --checkpoint DIR"));
    }
}
