package io.mohge.export;

import io.mohge.losses.LossConfig;
import io.mohge.engine.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;
import io.mohge.model.ModelConfig;
import io.mohge.train.ModelState;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An export running in Java: builds the engine's model from an {@link ExportReader.ExportedModel} and returns
 * logits and the LM loss. This is the only class of the export package that knows which Java model runs an
 * export (the engine's {@link Transformer}, which takes exactly {@code seq_len} positions per sequence).
 */
public final class ExportLm {

    private final Transformer model;
    private final ModelConfig config;

    private ExportLm(Transformer model, ModelConfig config) {
        this.model = model;
        this.config = config;
    }

    /** Reads the export in {@code dir} and builds its model. */
    public static ExportLm load(Path dir) throws IOException {
        return of(ExportReader.read(dir));
    }

    public static ExportLm of(ExportReader.ExportedModel m) {
        Transformer model = Transformer.create(m.config(), LossConfig.DEFAULTS, 0L, DataType.FLOAT);
        new ModelState(model.params()).load(m.params(), m.routerBiases(), m.dir().toString());
        return new ExportLm(model, m.config());
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Replaces the weights with those of another export of the same model config (e.g. merge candidates that
     * differ only in their weights), without building a new model.
     */
    public void setWeights(ExportReader.ExportedModel m) {
        if (!m.config().equals(config)) {
            throw new IllegalArgumentException("export: " + m.dir() + " has another model config than the loaded one");
        }
        new ModelState(model.params()).load(m.params(), m.routerBiases(), m.dir().toString());
    }

    /**
     * Forward pass of windows {@code [B][T + 1]}: every loss term and the routing decisions (tokens per expert of
     * every routed layer).
     */
    public Transformer.Result forward(int[][] windows) {
        return model.forward(Batch.ofWindows(windows, config.seqLen()), 0.0);
    }

    /** Logits {@code [B][T][V]} of token ids {@code [B][T]}, T = seq_len. */
    public float[][][] logits(int[][] tokens) {
        int t = config.seqLen();
        int v = config.vocabSize();
        float[] flat = model.logits(Batch.ofTokens(tokens)).data().asFloat();      // [B, T, V]
        float[][][] logits = new float[tokens.length][t][v];
        for (int b = 0; b < tokens.length; b++) {
            for (int i = 0; i < t; i++) System.arraycopy(flat, (b * t + i) * v, logits[b][i], 0, v);
        }
        return logits;
    }

    /** Mean next-token cross-entropy (nats) of windows {@code [B][T + 1]}: tokens [0, T), targets [1, T]. */
    public double loss(int[][] windows) {
        return model.forward(Batch.ofWindows(windows, config.seqLen()), 0.0).losses().get(LossNames.LM);
    }
}
