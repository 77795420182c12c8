package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.tensors.SafetensorsReader;

import io.mohge.tensors.FloatTensor;

import io.mohge.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an export directory back into the checkpoint's own terms: the {@link ModelConfig} from config.json
 * ({@link HfConfigReader}) and the tensors of model.safetensors under their checkpoint names, matrices
 * transposed back to {@code [in, out]} ({@link TensorNames}). Independent of the Java model that runs it.
 */
public final class ExportReader {

    /**
     * An export as the Java model sees it.
     *
     * @param params       trainable parameters by checkpoint name
     * @param routerBiases router balancing biases by checkpoint name (empty when the model has none)
     * @param step         training step recorded in the file's metadata (-1 when absent)
     */
    public record ExportedModel(Path dir, ModelConfig config, Map<String, FloatTensor> params,
                                Map<String, FloatTensor> routerBiases, long step) {
        public ExportedModel {
            if (dir == null || config == null || params == null || routerBiases == null) {
                throw new IllegalArgumentException("export: dir, config, params and routerBiases must not be null");
            }
            params = Collections.unmodifiableMap(new TreeMap<>(params));
            routerBiases = Collections.unmodifiableMap(new TreeMap<>(routerBiases));
        }
    }

    private ExportReader() { }

    public static ExportedModel read(Path dir) throws IOException {
        ModelConfig config = HfConfigReader.read(dir.resolve(Exporter.CONFIG));
        Path file = dir.resolve(Exporter.MODEL);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new BadInputException("export: " + file + " is missing; pass the directory written by `mohge export`");
        }
        SafetensorsReader.Contents contents = SafetensorsReader.read(file);
        String scheme = contents.metadata().get("tensor_name_scheme");
        if (!TensorNames.SCHEME.equals(scheme)) {
            throw new BadInputException("export: " + file + " uses tensor name scheme " + scheme + ", expected "
                    + TensorNames.SCHEME + "; export the checkpoint again with this version of MoHGE-J");
        }
        Map<String, FloatTensor> params = new TreeMap<>();
        Map<String, FloatTensor> biases = new TreeMap<>();
        for (Map.Entry<String, FloatTensor> e : contents.tensors().entrySet()) {
            TensorNames.Exported name = TensorNames.checkpoint(e.getKey());
            if (name == null) {
                throw new BadInputException("export: " + file + " holds tensor '" + e.getKey() + "', which is not "
                        + "a name of scheme " + TensorNames.SCHEME + " (see docs/export.md)");
            }
            FloatTensor t = name.transposed() ? e.getValue().transpose() : e.getValue();
            (name.name().endsWith(".router.expert_bias") ? biases : params).put(name.name(), t);
        }
        String step = contents.metadata().get("mohge_training_step");
        return new ExportedModel(dir, config, params, biases, step == null ? -1 : step(file, step));
    }

    private static long step(Path file, String step) {
        try {
            return Long.parseLong(step);
        } catch (NumberFormatException e) {
            throw new BadInputException("export: " + file + ": metadata mohge_training_step '" + step + "' is not a "
                    + "number; export the checkpoint again with `mohge export`", e);
        }
    }
}
