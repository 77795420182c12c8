package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.tensors.DType;

import io.mohge.tensors.SafetensorsWriter;

import io.mohge.tensors.FloatTensor;

import io.mohge.files.AtomicFiles;
import io.mohge.json.JsonRecords;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.data.BpeTokenizer;
import io.mohge.data.ByteTokenizer;
import io.mohge.data.DataConfig;
import io.mohge.data.DataLocation;
import io.mohge.data.ShardFormatException;
import io.mohge.data.TextTokenizer;
import io.mohge.model.ModelConfig;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Trainer;
import io.mohge.train.TrainResult;
import io.mohge.config.ExportConfig;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exports a checkpoint for serving, in the Hugging Face layout ({@code docs/export.md}):
 * <pre>
 *   model.safetensors        weights with Hugging Face names, matrices [out, in] ({@link TensorNames}), plus the
 *                            router balancing biases; dtype {@link ExportConfig#dtype()}; metadata format "pt"
 *   config.json              {@link HfConfig}: shape and every convention a port needs, auto_map for transformers
 *   generation_config.json   greedy decoding that stops at the end-of-document token (newline, id 10)
 *   tokenizer.json           {@link HfTokenizer}: the byte-level or BPE tokenizer in the tokenizers format
 *   tokenizer_config.json    lets transformers' AutoTokenizer load tokenizer.json
 *   configuration_mohge.py   transformers config class (trust_remote_code)
 *   modeling_mohge.py        the model in plain PyTorch, with a transformers wrapper when transformers is installed
 *   placement.json           expert placement on expert-parallel ranks (routed models only)
 * </pre>
 * Every file is written through {@link AtomicFiles}, with the permissions of the process umask. Optimizer
 * state is not exported. {@link ExportReader} reads an export back.
 */
public final class Exporter {

    private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
    public static final String MODEL = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String PLACEMENT = "placement.json";
    /** The Python files shipped beside the weights (resources of this package). */
    public static final List<String> PYTHON_FILES = List.of("configuration_mohge.py", "modeling_mohge.py");
    private static final String PYTHON_RESOURCES = "/io/mohge/export/python/";

    private Exporter() { }

    /** What was written. */
    public record Result(Path dir, int tensors, long parameters) { }

    /**
     * The export that follows training when {@code export.on_finish} is set: a run that completed is exported from
     * its last checkpoint to {@link Trainer#exportDir}; a finished run resumed again (no step trained now) is not
     * exported a second time.
     *
     * @return the export directory, or null when nothing was exported
     */
    public static Path exportFinishedRun(RunConfig cfg, TrainResult result) throws IOException {
        Path dir = Trainer.exportDir(cfg);
        boolean exported = Files.exists(dir.resolve(MODEL));
        if (result.stop() != TrainResult.Stop.COMPLETED || !cfg.export().onFinish() || result.lastCheckpoint() == null
                || result.losses().isEmpty() && exported) {
            return null;
        }
        export(result.lastCheckpoint(), dir, cfg.export());
        return dir;
    }

    /**
     * Exports the checkpoint in {@code checkpointDir} (a {@code step-NNNNNN} directory) to {@code outDir}.
     * The run config is the one stored in the checkpoint.
     */
    public static Result export(Path checkpointDir, Path outDir, ExportConfig export) throws IOException {
        Checkpoint c = CheckpointStore.load(checkpointDir);
        RunConfig config = ConfigLoader.load(checkpointDir.resolve("config.yaml"));
        return export(c, config.model(), tokenizer(config.data(), config.model()), outDir, export);
    }

    /** Exports an in-memory checkpoint of {@code model}, trained on data prepared with {@code tokenizer}. */
    public static Result export(Checkpoint c, ModelConfig model, TextTokenizer tokenizer, Path outDir, ExportConfig export)
            throws IOException {
        if (model.hasController()) {
            throw new BadInputException("model.temporal.controller: this checkpoint has switch controllers, which "
                    + "the export format (modeling_mohge.py) does not implement yet; serve it with mohge generate "
                    + "--checkpoint, or export the checkpoint it was converted from");
        }
        Files.createDirectories(outDir);
        long parameters = 0;
        for (FloatTensor t : c.params().values()) parameters += t.data().length;
        int tensors = writeModel(outDir, c.params(), c.routerBiases(), export.dtype(), c.step(), Map.of());

        writeJson(outDir.resolve(CONFIG), HfConfig.of(model, export.dtype(), tokenizer.kind(), c.step()).toJson());
        writeJson(outDir.resolve(GENERATION_CONFIG), generationConfig(model).toJson());
        writeJson(outDir.resolve(TOKENIZER), HfTokenizer.json(tokenizer));
        writeJson(outDir.resolve(TOKENIZER_CONFIG), HfTokenizer.config(tokenizer, model.seqLen()));
        for (String name : PYTHON_FILES) AtomicFiles.write(outDir.resolve(name), pythonSource(name));
        if (!c.placementJson().isBlank()) {
            AtomicFiles.write(outDir.resolve(PLACEMENT), c.placementJson().getBytes(StandardCharsets.UTF_8));
        } else {
            Files.deleteIfExists(outDir.resolve(PLACEMENT)); // never leave a stale placement from another model
        }
        LOG.info("exported step {} ({} tensors, {} parameters, {}) to {}", c.step(), tensors, parameters,
                export.dtype(), outDir);
        return new Result(outDir, tensors, parameters);
    }

    /**
     * Writes {@code model.safetensors} into {@code outDir}: parameters and router biases under their exported names
     * (matrices transposed to {@code [out, in]}), metadata {@code format: pt}, the name scheme, the training step,
     * and {@code extraMeta}. Returns the number of tensors written.
     */
    public static int writeModel(Path outDir, Map<String, FloatTensor> params, Map<String, FloatTensor> routerBiases,
                                 DType dtype, long step, Map<String, String> extraMeta) throws IOException {
        Map<String, FloatTensor> tensors = new TreeMap<>();
        for (Map.Entry<String, FloatTensor> e : params.entrySet()) put(tensors, e.getKey(), e.getValue());
        for (Map.Entry<String, FloatTensor> e : routerBiases.entrySet()) put(tensors, e.getKey(), e.getValue());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt"); // truthful: names and [out, in] layout are what PyTorch loaders expect
        meta.put("mohge_training_step", Long.toString(step));
        meta.put("tensor_name_scheme", TensorNames.SCHEME);
        meta.putAll(extraMeta);
        SafetensorsWriter.write(outDir.resolve(MODEL), tensors, dtype, meta);
        return tensors.size();
    }

    /**
     * The tokenizer the run's data was prepared with: the byte tokenizer, or the BPE merges file next to the
     * shards in {@code data.dir}. Its vocabulary must be the model's.
     */
    public static TextTokenizer tokenizer(DataConfig data, ModelConfig model) throws IOException {
        TextTokenizer tok;
        if (data.tokenizer() == DataConfig.Tokenizer.BYTE) {
            tok = new ByteTokenizer();
        } else {
            DataLocation file = DataLocation.resolve(data.dir(), new Configuration()).child(BpeTokenizer.FILE_NAME);
            try {
                tok = BpeTokenizer.load(file);
            } catch (ShardFormatException e) {
                throw new BadInputException("data.dir: the export needs the BPE merges the model was trained "
                        + "with, but " + e.getMessage() + "; run `mohge prepare` with the run's data config first");
            }
        }
        if (tok.vocabSize() != model.vocabSize()) {
            throw new BadInputException("model.vocab_size: the model has " + model.vocabSize()
                    + " tokens but the " + tok.kind() + " tokenizer of data.dir has " + tok.vocabSize()
                    + "; export with the data config the model was trained on");
        }
        return tok;
    }

    /** {@code generation_config.json}: greedy decoding that stops at the end of a document (the newline token). */
    record GenerationConfig(boolean doSample, int eosTokenId, int padTokenId, int maxLength) {
        String toJson() {
            return JsonRecords.write(this);
        }
    }

    static GenerationConfig generationConfig(ModelConfig model) {
        return new GenerationConfig(false, HfConfig.END_OF_DOCUMENT, HfConfig.END_OF_DOCUMENT, model.seqLen());
    }

    /** The bytes of a shipped Python file. */
    public static byte[] pythonSource(String name) throws IOException {
        try (InputStream in = Exporter.class.getResourceAsStream(PYTHON_RESOURCES + name)) {
            if (in == null) throw new IllegalStateException("resource " + PYTHON_RESOURCES + name + " missing from the build");
            return in.readAllBytes();
        }
    }

    /** Writes JSON text and a final newline. */
    public static void writeJson(Path file, String json) throws IOException {
        AtomicFiles.write(file, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void put(Map<String, FloatTensor> out, String checkpointName, FloatTensor t) {
        TensorNames.Exported name = TensorNames.exported(checkpointName);
        FloatTensor value = name.transposed() ? t.transpose() : t;
        if (out.put(name.name(), value) != null) {
            throw new IllegalStateException("export: two checkpoint tensors map to the exported name " + name.name()
                    + " (the second is " + checkpointName + ")");
        }
    }
}
