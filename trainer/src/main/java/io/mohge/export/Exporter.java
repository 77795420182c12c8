package io.mohge.export;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.ExportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exports a checkpoint for serving: {@code model.safetensors} (trained parameters plus router balancing
 * biases, in the dtype of {@link ExportConfig#dtype()}), {@code config.json} ({@link HfConfig}) and, for
 * models with routed experts, {@code placement.json} (the allocation module's placement, unchanged).
 * Tensor names follow {@link TensorNames}. Optimizer state is not exported.
 */
public final class Exporter {

    private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
    public static final String MODEL = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String PLACEMENT = "placement.json";

    private Exporter() { }

    /** What was written. */
    public record Result(Path dir, int tensors, long parameters) { }

    /**
     * Exports the checkpoint in {@code checkpointDir} (a {@code step-NNNNNN} directory) to {@code outDir}.
     * The run config is the one stored in the checkpoint.
     */
    public static Result export(Path checkpointDir, Path outDir, ExportConfig export) throws IOException {
        Checkpoint c = CheckpointStore.load(checkpointDir);
        RunConfig config = ConfigLoader.load(checkpointDir.resolve("config.yaml"));
        return export(c, config, outDir, export);
    }

    /** Exports an in-memory checkpoint whose run config is {@code config}. */
    public static Result export(Checkpoint c, RunConfig config, Path outDir, ExportConfig export) throws IOException {
        Files.createDirectories(outDir);
        Map<String, FloatTensor> tensors = new TreeMap<>();
        long parameters = 0;
        for (Map.Entry<String, FloatTensor> e : c.params().entrySet()) {
            put(tensors, TensorNames.exported(e.getKey()), e.getValue(), e.getKey());
            parameters += e.getValue().data().length;
        }
        for (Map.Entry<String, FloatTensor> e : c.routerBiases().entrySet()) {
            put(tensors, TensorNames.exported(e.getKey()), e.getValue(), e.getKey());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt"); // what Hugging Face loaders expect of a PyTorch-layout file
        meta.put("mohge_training_step", Long.toString(c.step()));
        meta.put("tensor_name_scheme", TensorNames.SCHEME);
        SafetensorsWriter.write(outDir.resolve(MODEL), tensors, export.dtype(), meta);

        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
        String json = gson.toJson(HfConfig.of(config.model(), export.dtype(), TensorNames.SCHEME, c.step()));
        Files.writeString(outDir.resolve(CONFIG), json + "\n", StandardCharsets.UTF_8);
        if (!c.placementJson().isBlank()) {
            Files.writeString(outDir.resolve(PLACEMENT), c.placementJson(), StandardCharsets.UTF_8);
        } else {
            Files.deleteIfExists(outDir.resolve(PLACEMENT)); // never leave a stale placement from another model
        }
        LOG.info("exported step {} ({} tensors, {} parameters, {}) to {}", c.step(), tensors.size(), parameters,
                export.dtype(), outDir);
        return new Result(outDir, tensors.size(), parameters);
    }

    private static void put(Map<String, FloatTensor> out, String name, FloatTensor t, String source) {
        if (out.put(name, t) != null) {
            throw new IllegalStateException("export: two checkpoint tensors map to the exported name " + name
                    + " (the second is " + source + ")");
        }
    }
}
