package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.TrainerConfig;
import io.mohge.model.ModelConfig;
import org.bytedeco.javacpp.Pointer;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Memory a training run needs, estimated from the config alone, before anything is allocated. All in fp32 (4 bytes
 * per value) and in doubles, so that absurd sizes cannot overflow. B = trainer.batch_size, T = model.seq_len,
 * D = model.d_model, H = model.n_heads, V = model.vocab_size, L = model.n_layers.
 * <ul>
 *   <li>parameters P, counted as {@link io.mohge.model.ParamCount} does (embedding, attention, norms, router,
 *       FFN or experts, output);</li>
 *   <li>weights, gradients and the two AdamW moments: 4 copies of P;</li>
 *   <li>activations kept for the backward pass of one micro-batch (gradient accumulation runs micro-batches one
 *       after the other): per layer 12 B T D for the residual stream (norms, q, k, v, RoPE'd q and k, attention
 *       output and projection, residuals), 2 B H T^2 for the attention scores and probabilities, 2 B T (G + E) for
 *       router scores, and 3 B T F for the FFN hidden activations (the outputs of w1 and w3 and their product),
 *       F being the widest width one token can use: the dense width, top_k x width (moe), top_k x the largest
 *       width (mohge), plus the shared experts; then 3 B T V for the one-hot input, the logits and the softmax.</li>
 * </ul>
 * It leaves out the graph's own overhead, so the real need is higher: a run that does not fit this estimate
 * certainly does not fit the machine.
 *
 * @param parameters      trainable parameters P
 * @param weightBytes     4 P
 * @param gradientBytes   4 P
 * @param optimizerBytes  8 P (AdamW's m and v)
 * @param activationBytes activations of one micro-batch, as above
 * @param largestTensor   elements of the largest single tensor (weights, attention scores or logits)
 */
public record MemoryEstimate(double parameters, double weightBytes, double gradientBytes, double optimizerBytes,
                             double activationBytes, double largestTensor) {

    private static final double FLOAT = 4;
    /** Java arrays (and the tensors of checkpoints and exports) hold at most this many elements. */
    static final double MAX_TENSOR = Integer.MAX_VALUE - 8;

    public MemoryEstimate {
        for (double v : new double[] {parameters, weightBytes, gradientBytes, optimizerBytes, activationBytes,
                largestTensor}) {
            if (!(v >= 0)) throw new IllegalArgumentException("memory estimate parts must be 0 or more, got " + v);
        }
    }

    public static MemoryEstimate of(ModelConfig m, TrainerConfig t) {
        double d = m.dModel();
        double layers = m.nLayers();
        double bt = (double) t.batchSize() * m.seqLen();
        double attentionScores = (double) t.batchSize() * m.nHeads() * m.seqLen() * m.seqLen();
        double p = parameters(m);
        double perLayer = 12 * bt * d + 2 * attentionScores + 2 * bt * routerScores(m) + 3 * bt * activeWidth(m);
        double activations = layers * perLayer + 3 * bt * m.vocabSize();
        double largest = Math.max(Math.max(d * m.vocabSize(), d * maxWidth(m)), Math.max(attentionScores, bt * m.vocabSize()));
        return new MemoryEstimate(p, FLOAT * p, FLOAT * p, 2 * FLOAT * p, FLOAT * activations, largest);
    }

    /** Parameters of {@code m}: the sum of ParamCount's components, in double. */
    static double parameters(ModelConfig m) {
        double d = m.dModel();
        double layers = m.nLayers();
        double perLayer = 4 * d * d + 2 * d + d * routerScores(m);
        perLayer += switch (m.ffn()) {
            case DENSE -> 3 * d * m.dense().width();
            case MOE -> 3 * d * (double) m.moe().experts() * m.moe().width();
            case MOHGE -> 3 * d * m.mohge().expertsPerGroup()
                    * m.mohge().widths().stream().mapToDouble(Integer::doubleValue).sum();
        };
        if (m.ffn() != ModelConfig.FfnType.DENSE) perLayer += 3 * d * (double) m.shared().count() * m.shared().width();
        if (m.hasController()) perLayer += d + 1;
        return 2 * (double) m.vocabSize() * d + d + layers * perLayer;
    }

    /** Router outputs per token: experts, plus groups for a MoHGE layer of more than one group. */
    private static double routerScores(ModelConfig m) {
        return switch (m.ffn()) {
            case DENSE -> 0;
            case MOE -> m.moe().experts();
            case MOHGE -> m.mohge().experts() + (m.mohge().groups() > 1 ? m.mohge().groups() : 0);
        };
    }

    /** The widest FFN hidden size one token can use. */
    private static double activeWidth(ModelConfig m) {
        double shared = m.ffn() == ModelConfig.FfnType.DENSE ? 0 : (double) m.shared().count() * m.shared().width();
        return shared + switch (m.ffn()) {
            case DENSE -> m.dense().width();
            case MOE -> (double) m.moe().topK() * m.moe().width();
            case MOHGE -> (double) m.mohge().topK() * m.mohge().widths().get(m.mohge().groups() - 1);
        };
    }

    private static double maxWidth(ModelConfig m) {
        double shared = m.ffn() == ModelConfig.FfnType.DENSE ? 0 : (double) m.shared().count() * m.shared().width();
        return Math.max(shared, switch (m.ffn()) {
            case DENSE -> m.dense().width();
            case MOE -> m.moe().width();
            case MOHGE -> m.mohge().widths().get(m.mohge().groups() - 1);
        });
    }

    public double totalBytes() {
        return weightBytes + gradientBytes + optimizerBytes + activationBytes;
    }

    /**
     * Refuses a run that cannot fit the memory, or whose largest tensor exceeds a Java array, with a message that
     * gives the estimate, the memory and the keys to change.
     *
     * @param ramBytes      the machine's physical memory
     * @param nativeCapBytes ND4J's native memory cap (-Dorg.bytedeco.javacpp.maxphysicalbytes), 0 = none
     */
    public void requireFits(double ramBytes, double nativeCapBytes) {
        boolean capped = nativeCapBytes > 0 && nativeCapBytes < ramBytes;
        double limit = capped ? nativeCapBytes : ramBytes;
        if (totalBytes() > limit) {
            throw new BadInputException(String.format(Locale.ROOT, "model: training this config needs at least "
                    + "%s (%.4g parameters: %s of weights + %s of gradients + %s of AdamW state; %s of activations per "
                    + "micro-batch), but this machine has %s of memory%s. Lower model.d_model, model.n_layers, "
                    + "model.seq_len, model.vocab_size, the expert count or widths (model.moe.*, model.mohge.*, "
                    + "model.dense.width, model.shared.*) or trainer.batch_size",
                    bytes(totalBytes()), parameters, bytes(weightBytes), bytes(gradientBytes), bytes(optimizerBytes),
                    bytes(activationBytes), bytes(ramBytes), capped ? " and ND4J may use " + bytes(nativeCapBytes)
                            + " of it (MOHGE_NATIVE_MEMORY, -Dorg.bytedeco.javacpp.maxphysicalbytes)" : ""));
        }
        if (largestTensor > MAX_TENSOR) {
            throw new BadInputException(String.format(Locale.ROOT, "model: the largest tensor of this config has "
                    + "%.3g elements, more than one array can hold (%d); lower model.d_model, model.vocab_size, "
                    + "model.seq_len, the FFN/expert widths or trainer.batch_size", largestTensor, (long) MAX_TENSOR));
        }
    }

    /** {@link #requireFits(double, double)} with this machine's memory and ND4J's cap. */
    public void requireFitsThisMachine() {
        double ram = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        requireFits(ram, Pointer.maxPhysicalBytes());
    }

    static String bytes(double b) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        int u = 0;
        while (b >= 1000 && u < units.length - 1) {
            b /= 1000;
            u++;
        }
        return b >= 1e4 ? String.format(Locale.ROOT, "%.3g %s", b, units[u]) : String.format(Locale.ROOT, "%.1f %s", b, units[u]);
    }
}
