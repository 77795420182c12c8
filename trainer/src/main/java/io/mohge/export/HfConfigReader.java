package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.json.JsonRecords;
import io.mohge.model.ModelConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an export's {@code config.json} ({@link HfConfig}, whose constructor checks the keys) back into a
 * {@link ModelConfig}. Every error names the file and the key.
 */
public final class HfConfigReader {

    private HfConfigReader() { }

    /** The model config of the export whose config.json is {@code file}. */
    public static ModelConfig read(Path file) throws IOException {
        HfConfig config = readConfig(file);
        try {
            return config.modelConfig();
        } catch (IllegalArgumentException e) {
            throw new BadInputException("export: " + file + ": " + e.getMessage(), e);
        }
    }

    /** The config.json {@code file} as a record. */
    public static HfConfig readConfig(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("export: " + file + " is missing; pass the directory written by "
                    + "`mohge export` (it holds config.json and model.safetensors)");
        }
        try {
            return JsonRecords.read(Files.readString(file, StandardCharsets.UTF_8), HfConfig.class);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("export: " + file + ": " + e.getMessage()
                    + "; export the checkpoint again with `mohge export` or fix this key", e);
        }
    }
}
