package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.model.ModelConfig;
import io.mohge.model.ParamNames;

/**
 * Incremental inference for one sequence with a key/value cache: feeding token t costs one position, not a
 * re-run of the prefix. It is the {@link Transformer}'s forward pass restricted to the newest position, built
 * from the same modules (norms, router, SwiGLU blocks, LM head) over the same parameters:
 * <pre>
 *   x = E[token]                                                           [1, D]
 *   per layer:  q, k, v = RMSNorm(x) {Wq, Wk, Wv}; q, k = rope(q, k) at position t
 *               K[h, slot], V[h, slot] = k, v                              cache of seq_len slots per head
 *               x += (softmax_s(q_h K[h, s]^T / sqrt(hd)) V[h, s])_h Wo    s over the cached positions
 *               x += FFN(RMSNorm(x))                                       (routing one token is dropless)
 *   logits = RMSNorm(x) W_out                                              [V]
 * </pre>
 * The cache is a ring of seq_len slots: past seq_len tokens, position t overwrites slot t mod seq_len, so every
 * token attends to the newest seq_len positions (sliding-window attention; with RoPE, attention depends only on
 * relative positions). Up to seq_len positions this is exactly the full forward pass. The per-token attention
 * (about D x seq_len multiply-adds) runs on host arrays; the projections and the FFN are the engine's.
 * With switch controllers ({@code model.temporal}) each routed layer remembers the previous token's expert set,
 * decides greedily (switch when beta >= 0.5) and keeps that set otherwise, exactly as the full forward does for one
 * sequence; the first token after a reset always routes. {@link #expertSets()} tells which experts the last token
 * used (the expert-cache simulation reads it). {@link #reset()} starts a new sequence. Not thread-safe.
 */
public final class Decoder {

    private final ModelConfig config;
    private final Kernels kernels;
    private final INDArray embedding;             // [V, D]
    private final RmsNorm[] attentionNorms;
    private final RmsNorm[] ffnNorms;
    private final Ffn[] ffns;
    private final Mat[][] attention;              // [layer] {wq, wk, wv, wo}
    private final LmHead head;
    private final double[][] keys;                // [layer] [slot * D + h * hd + j], roped
    private final double[][] values;              // [layer] [slot * D + h * hd + j]
    private final double[] inverseFrequency;      // theta^(-2j / hd), j < hd / 2
    private final INDArray x, q, k, v, ctx, branch;
    private final int d;
    private final int heads;
    private final int headSize;
    private final int window;
    private long position;

    Decoder(Transformer model) {
        this.config = model.config();
        this.kernels = model.kernels();
        ParamStore params = model.params();
        int layers = config.nLayers();
        this.d = config.dModel();
        this.heads = config.nHeads();
        this.headSize = config.headSize();
        this.window = config.seqLen();
        var dt = params.dtype();
        embedding = params.param(ParamNames.TOK_EMBEDDINGS);
        attentionNorms = new RmsNorm[layers];
        ffnNorms = new RmsNorm[layers];
        ffns = new Ffn[layers];
        attention = new Mat[layers][];
        keys = new double[layers][window * d];
        values = new double[layers][window * d];
        for (int i = 0; i < layers; i++) {
            String layer = ParamNames.layer(i);
            attentionNorms[i] = model.norm(layer + ".attention_norm.weight");
            attentionNorms[i].allocate(1, d);
            ffnNorms[i] = model.norm(layer + ".ffn_norm.weight");
            ffnNorms[i].allocate(1, d);
            ffns[i] = model.ffn(i);
            ffns[i].allocate(1);
            if (ffns[i] instanceof RoutedFfn r) r.streaming();
            attention[i] = new Mat[4];
            String[] names = {"wq", "wk", "wv", "wo"};
            for (int w = 0; w < 4; w++) attention[i][w] = params.paramMat(layer + ".attention." + names[w] + ".weight");
        }
        inverseFrequency = new double[headSize / 2];
        for (int j = 0; j < inverseFrequency.length; j++) {
            inverseFrequency[j] = Math.pow(config.ropeTheta(), -2.0 * j / headSize);
        }
        head = model.head();
        head.allocate(1, d, config.vocabSize());
        x = Ops.zeros(dt, 1, d);
        q = Ops.zeros(dt, 1, d);
        k = Ops.zeros(dt, 1, d);
        v = Ops.zeros(dt, 1, d);
        ctx = Ops.zeros(dt, 1, d);
        branch = Ops.zeros(dt, 1, d);
    }

    /** Positions a token attends to at most (model.seq_len). */
    public int window() {
        return window;
    }

    /** Tokens fed since the last reset. */
    public long position() {
        return position;
    }

    /** Forgets the sequence. */
    public void reset() {
        position = 0;
        for (Ffn f : ffns) if (f instanceof RoutedFfn r) r.resetStream();
    }

    /** The experts the last token used, [routed layer][K], largest gate first (empty for a dense model). */
    public int[][] expertSets() {
        return java.util.Arrays.stream(ffns).filter(f -> f instanceof RoutedFfn).map(f -> ((RoutedFfn) f).lastExperts())
                .toArray(int[][]::new);
    }

    /**
     * Feeds the next token and returns the logits for the token after it.
     *
     * @return [V] logits (a fresh array)
     */
    public double[] next(int token) {
        if (token < 0 || token >= config.vocabSize()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary 0.." + (config.vocabSize() - 1));
        }
        Rows.gather(embedding, new int[] {token}, 1, x);
        for (int i = 0; i < config.nLayers(); i++) {
            attend(i, attentionNorms[i].forward(x));
            x.addi(branch);
            ffns[i].forward(ffnNorms[i].forward(x), branch);
            x.addi(branch);
        }
        position++;
        return Rows.read(head.logits(x));
    }

    /** branch = attention of the newest position over the cached ones, for layer i. */
    private void attend(int layer, INDArray a) {
        Mat[] w = attention[layer];
        kernels.gemm(Mat.of(a), false, w[0], false, Mat.of(q), 0);
        kernels.gemm(Mat.of(a), false, w[1], false, Mat.of(k), 0);
        kernels.gemm(Mat.of(a), false, w[2], false, Mat.of(v), 0);
        double[] qv = rope(Rows.read(q));
        double[] kv = rope(Rows.read(k));
        double[] vv = Rows.read(v);
        int slot = (int) (position % window);
        double[] kc = keys[layer];
        double[] vc = values[layer];
        System.arraycopy(kv, 0, kc, slot * d, d);
        System.arraycopy(vv, 0, vc, slot * d, d);
        int cached = (int) Math.min(position + 1, window);
        double scale = 1.0 / Math.sqrt(headSize);
        double[] out = new double[d];
        double[] p = new double[cached];
        for (int h = 0; h < heads; h++) {
            int o = h * headSize;
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < cached; s++) {
                double dot = 0;
                for (int j = 0; j < headSize; j++) dot += qv[o + j] * kc[s * d + o + j];
                p[s] = dot * scale;
                max = Math.max(max, p[s]);
            }
            double sum = 0;
            for (int s = 0; s < cached; s++) {
                p[s] = Math.exp(p[s] - max);
                sum += p[s];
            }
            for (int s = 0; s < cached; s++) {
                double weight = p[s] / sum;
                for (int j = 0; j < headSize; j++) out[o + j] += weight * vc[s * d + o + j];
            }
        }
        Rows.write(out, ctx);
        kernels.gemm(Mat.of(ctx), false, w[3], false, Mat.of(branch), 0);
    }

    /** Rotate-half RoPE of one [D] row at the current absolute position (docs/method.md, Rope). */
    private double[] rope(double[] row) {
        int half = headSize / 2;
        double[] out = new double[row.length];
        for (int o = 0; o < row.length; o += headSize) {
            for (int j = 0; j < half; j++) {
                double angle = position * inverseFrequency[j];
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                double lo = row[o + j];
                double hi = row[o + j + half];
                out[o + j] = lo * cos - hi * sin;
                out[o + j + half] = hi * cos + lo * sin;
            }
        }
        return out;
    }
}
