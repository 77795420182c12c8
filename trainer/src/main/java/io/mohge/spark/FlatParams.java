package io.mohge.spark;

import io.mohge.model.DecoderLM;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The model's trainable parameters (and, separately, its router-bias state) as one flat {@code float[]} in the
 * model's parameter order: the form that travels between the Spark driver and executors (STACK.md: plain float[]
 * is 3-5x cheaper to ship than INDArray).
 */
final class FlatParams {

    private final SameDiff sd;
    private final List<String> params;
    private final List<String> state;

    FlatParams(DecoderLM lm) {
        this.sd = lm.sameDiff();
        this.params = lm.trainableParams();
        this.state = lm.stateNames();
    }

    float[] params() { return concat(params, sd::getArrForVarName); }

    float[] state() { return concat(state, sd::getArrForVarName); }

    void assignParams(float[] flat) { split(params, flat, (name, value) -> sd.getArrForVarName(name).assign(value)); }

    void assignState(float[] flat) { split(state, flat, (name, value) -> sd.getArrForVarName(name).assign(value)); }

    /** Gradients by parameter name, flattened in parameter order. */
    float[] flattenGrads(Map<String, INDArray> grads) { return concat(params, grads::get); }

    /** A flat gradient back as arrays shaped like the parameters. */
    Map<String, INDArray> unflattenGrads(float[] flat) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        split(params, flat, out::put);
        return out;
    }

    /** The arrays of {@code names}, in order, as one float[]. */
    private float[] concat(List<String> names, Function<String, INDArray> arrays) {
        float[] out = new float[length(names)];
        int offset = 0;
        for (String name : names) {
            float[] v = arrays.apply(name).castTo(DataType.FLOAT).data().asFloat();
            System.arraycopy(v, 0, out, offset, v.length);
            offset += v.length;
        }
        return out;
    }

    /** Cuts {@code flat} into arrays shaped (and typed) like the model's arrays of {@code names}. */
    private void split(List<String> names, float[] flat, BiConsumer<String, INDArray> sink) {
        if (flat.length != length(names)) {
            throw new IllegalStateException("flat array of " + flat.length + " values for " + length(names) + " model values");
        }
        int offset = 0;
        for (String name : names) {
            INDArray like = sd.getArrForVarName(name);
            int n = (int) like.length();
            float[] slice = new float[n];
            System.arraycopy(flat, offset, slice, 0, n);
            sink.accept(name, Nd4j.createFromArray(slice).reshape(like.shape()).castTo(like.dataType()));
            offset += n;
        }
    }

    private int length(List<String> names) {
        long n = 0;
        for (String name : names) n += sd.getArrForVarName(name).length();
        if (n > Integer.MAX_VALUE) throw new IllegalStateException("more than 2^31 values do not fit one float[]");
        return (int) n;
    }
}
