package io.mohge.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Creates the model's variables and remembers which are trainable and which are excluded from weight decay.
 * Every weight is drawn from N(0, init_std) with a generator seeded by (seed, parameter name), so a parameter's
 * initial value depends only on its name: two models that share a parameter name start with the same weights
 * (used e.g. to check that MoHGE with G = 1 reduces to plain top-k MoE).
 */
final class Params {

    private final SameDiff sd;
    private final DataType dtype;
    private final long seed;
    private final double std;
    private final List<String> trainable = new ArrayList<>();
    private final List<String> decayExcluded = new ArrayList<>();
    private final List<String> state = new ArrayList<>();

    Params(SameDiff sd, DataType dtype, long seed, double std) {
        this.sd = sd;
        this.dtype = dtype;
        this.seed = seed;
        this.std = std;
    }

    SameDiff sd() {
        return sd;
    }

    DataType dtype() {
        return dtype;
    }

    /** Trainable [rows, cols] weight, N(0, std), weight-decayed. */
    SDVariable matrix(String name, long rows, long cols) {
        Random random = new Random(seed * 1_000_003L + name.hashCode());
        double[] values = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < values.length; i++) values[i] = std * random.nextGaussian();
        trainable.add(name);
        return sd.var(name, Nd4j.createFromArray(values).castTo(dtype).reshape(rows, cols));
    }

    /** Trainable RMSNorm gain [n], initialised to 1 and excluded from weight decay. */
    SDVariable normWeight(String name, long n) {
        trainable.add(name);
        decayExcluded.add(name);
        return sd.var(name, Nd4j.ones(dtype, n));
    }

    /** Non-trained model state (saved with the graph as a constant, updated outside backprop). */
    SDVariable state(String name, INDArray initial) {
        state.add(name);
        return sd.constant(name, initial.castTo(dtype));
    }

    /** Constant that is not a model parameter (masks, tables). */
    SDVariable constant(INDArray value) {
        return sd.constant(value.castTo(dtype));
    }

    List<String> trainable() {
        return List.copyOf(trainable);
    }

    List<String> decayExcluded() {
        return List.copyOf(decayExcluded);
    }

    List<String> state() {
        return List.copyOf(state);
    }
}
