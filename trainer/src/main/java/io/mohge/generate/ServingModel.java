package io.mohge.generate;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.data.TextTokenizer;
import io.mohge.engine.Transformer;
import io.mohge.export.ExportReader;
import io.mohge.export.Exporter;
import io.mohge.export.HfTokenizer;
import io.mohge.losses.LossConfig;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.ModelState;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model ready to generate: the engine's model with the weights of a checkpoint or an export, and the
 * tokenizer its data was prepared with.
 */
public record ServingModel(Transformer model, TextTokenizer tokenizer, String source) {

    /** An export directory: its weights and config.json, and its tokenizer.json. */
    public static ServingModel fromExport(Path dir) throws IOException {
        ExportReader.ExportedModel m = ExportReader.read(dir);
        Path tokenizer = dir.resolve(Exporter.TOKENIZER);
        if (!Files.isRegularFile(tokenizer)) {
            throw new BadInputException("--export: " + tokenizer + " is missing; export the model again with "
                    + "mohge export");
        }
        Transformer model = Transformer.create(m.config(), LossConfig.DEFAULTS, 0L, DataType.FLOAT);
        new ModelState(model.params()).load(m.params(), m.routerBiases(), dir.toString());
        return new ServingModel(model, HfTokenizer.read(tokenizer), "export " + dir);
    }

    /** A checkpoint directory: its weights and stored run config; the tokenizer of that config's data. */
    public static ServingModel fromCheckpoint(Path dir) throws IOException {
        Checkpoint c = CheckpointStore.load(dir);
        RunConfig config = ConfigLoader.load(dir.resolve(CheckpointStore.CONFIG));
        Transformer model = Transformer.create(config.model(), config.losses(), config.run().seed(), DataType.FLOAT);
        new ModelState(model.params()).load(c.params(), c.routerBiases(), dir.toString());
        return new ServingModel(model, Exporter.tokenizer(config.data(), config.model()), "checkpoint " + dir + " (step " + c.step() + ")");
    }
}
