package io.mohge.mixture;

import io.mohge.config.ConfigLoader;
import io.mohge.engine.Transformer;
import io.mohge.export.ExportReader;
import io.mohge.tensors.FloatTensor;
import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.ModelState;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The trained weights of one member (router or expert), from a checkpoint or an export, ready to be run at any
 * sequence length: the parameters do not depend on model.seq_len, so a router trained on 64-token sequences scores
 * 31-token prefixes with the same weights.
 *
 * @param config       the member's model config as trained
 * @param params       parameters by checkpoint name
 * @param routerBiases router balancing biases (empty for a dense member)
 * @param step         training step of the weights (-1 if unknown)
 * @param source       where they came from, for messages
 */
public record LmWeights(ModelConfig config, Map<String, FloatTensor> params, Map<String, FloatTensor> routerBiases,
                        long step, String source) {

    /** A checkpoint directory ({@code .../checkpoints/step-NNNNNN}). */
    public static LmWeights fromCheckpoint(Path dir) throws IOException {
        Checkpoint c = CheckpointStore.load(dir);
        ModelConfig model = ConfigLoader.load(dir.resolve(CheckpointStore.CONFIG)).model();
        return new LmWeights(model, c.params(), c.routerBiases(), c.step(), "checkpoint " + dir);
    }

    /** An export directory written by {@code mohge export}. */
    public static LmWeights fromExport(Path dir) throws IOException {
        ExportReader.ExportedModel m = ExportReader.read(dir);
        return new LmWeights(m.config(), m.params(), m.routerBiases(), m.step(), "export " + dir);
    }

    /** The engine's model with these weights, for sequences of {@code seqLen} positions (float32). */
    public Transformer model(int seqLen) {
        Transformer t = Transformer.create(withSeqLen(config, seqLen), LossConfig.DEFAULTS, 0L, DataType.FLOAT);
        new ModelState(t.params()).load(params, routerBiases, source);
        return t;
    }

    /** The model at its trained sequence length. */
    public Transformer model() {
        return model(config.seqLen());
    }

    static ModelConfig withSeqLen(ModelConfig m, int seqLen) {
        return new ModelConfig(m.vocabSize(), m.dModel(), m.nLayers(), m.nHeads(), seqLen, m.ropeTheta(), m.normEps(),
                m.initStd(), m.ffn(), m.dense(), m.moe(), m.mohge(), m.shared(), m.router());
    }
}
