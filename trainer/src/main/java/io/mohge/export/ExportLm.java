package io.mohge.export;

import io.mohge.losses.LossConfig;
import io.mohge.losses.LossNames;
import io.mohge.model.DecoderLM;
import io.mohge.model.ModelConfig;
import io.mohge.train.ModelState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An export running in Java: builds the model from an {@link ExportReader.ExportedModel} and returns logits and
 * the LM loss. This is the only class of the export package that knows which Java model runs an export (today
 * the SameDiff {@link DecoderLM}, which takes exactly {@code seq_len} positions per sequence).
 */
public final class ExportLm {

    private final DecoderLM lm;
    private final ModelConfig config;

    private ExportLm(DecoderLM lm, ModelConfig config) {
        this.lm = lm;
        this.config = config;
    }

    /** Reads the export in {@code dir} and builds its model. */
    public static ExportLm load(Path dir) throws IOException {
        return of(ExportReader.read(dir));
    }

    public static ExportLm of(ExportReader.ExportedModel m) {
        DecoderLM lm = DecoderLM.build(m.config(), LossConfig.DEFAULTS, 0L);
        new ModelState(lm).load(m.params(), m.routerBiases(), m.dir().toString());
        return new ExportLm(lm, m.config());
    }

    public ModelConfig config() {
        return config;
    }

    /** Logits {@code [B][T][V]} of token ids {@code [B][T]}, T = seq_len. */
    public float[][][] logits(int[][] tokens) {
        int t = config.seqLen();
        int v = config.vocabSize();
        INDArray out = lm.sameDiff().output(feed(tokens, tokens), DecoderLM.LOGITS).get(DecoderLM.LOGITS); // [B, T, V]
        float[] flat = out.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        float[][][] logits = new float[tokens.length][t][v];
        for (int b = 0; b < tokens.length; b++) {
            for (int i = 0; i < t; i++) System.arraycopy(flat, (b * t + i) * v, logits[b][i], 0, v);
        }
        return logits;
    }

    /** Mean next-token cross-entropy (nats) of windows {@code [B][T + 1]}: tokens [0, T), targets [1, T]. */
    public double loss(int[][] windows) {
        int t = config.seqLen();
        int[][] tokens = new int[windows.length][];
        int[][] targets = new int[windows.length][];
        for (int b = 0; b < windows.length; b++) {
            if (windows[b].length != t + 1) {
                throw new IllegalArgumentException("window " + b + " has " + windows[b].length + " tokens, expected "
                        + "seq_len + 1 = " + (t + 1));
            }
            tokens[b] = java.util.Arrays.copyOfRange(windows[b], 0, t);
            targets[b] = java.util.Arrays.copyOfRange(windows[b], 1, t + 1);
        }
        return lm.sameDiff().output(feed(tokens, targets), LossNames.LM).get(LossNames.LM).getDouble(0);
    }

    private java.util.Map<String, INDArray> feed(int[][] tokens, int[][] targets) {
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != config.seqLen()) {
                throw new IllegalArgumentException("sequence " + b + " has " + tokens[b].length + " tokens; this Java "
                        + "model takes exactly seq_len = " + config.seqLen());
            }
            for (int id : tokens[b]) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary 0.."
                            + (config.vocabSize() - 1));
                }
            }
        }
        return lm.feed(Nd4j.createFromArray(tokens), Nd4j.createFromArray(targets),
                Nd4j.ones(tokens.length, config.seqLen()), 0.0);
    }
}
