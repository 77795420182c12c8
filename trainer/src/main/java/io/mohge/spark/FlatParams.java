package io.mohge.spark;

import io.mohge.model.DecoderLM;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's trainable parameters (and, separately, its router-bias state) as one flat {@code float[]} in the
 * model's parameter order: the form that travels between the Spark driver and executors (STACK.md: plain float[]
 * is 3-5x cheaper to ship than INDArray).
 */
final class FlatParams {

    private final SameDiff sd;
    private final List<String> params;
    private final List<String> state;
    private final int paramLength;

    FlatParams(DecoderLM lm) {
        this.sd = lm.sameDiff();
        this.params = lm.trainableParams();
        this.state = lm.stateNames();
        this.paramLength = (int) length(params);
    }

    int paramLength() { return paramLength; }

    float[] params() { return flatten(params); }

    float[] state() { return flatten(state); }

    void assignParams(float[] flat) { assign(params, flat); }

    void assignState(float[] flat) { assign(state, flat); }

    /** Gradients by parameter name, flattened in parameter order. */
    float[] flattenGrads(Map<String, INDArray> grads) {
        float[] out = new float[paramLength];
        int offset = 0;
        for (String name : params) {
            float[] g = grads.get(name).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
            System.arraycopy(g, 0, out, offset, g.length);
            offset += g.length;
        }
        return out;
    }

    /** A flat gradient back as arrays shaped like the parameters. */
    Map<String, INDArray> unflattenGrads(float[] flat) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        int offset = 0;
        for (String name : params) {
            INDArray p = sd.getArrForVarName(name);
            int n = (int) p.length();
            float[] slice = new float[n];
            System.arraycopy(flat, offset, slice, 0, n);
            out.put(name, Nd4j.createFromArray(slice).reshape(p.shape()).castTo(p.dataType()));
            offset += n;
        }
        return out;
    }

    private long length(List<String> names) {
        long n = 0;
        for (String name : names) n += sd.getArrForVarName(name).length();
        if (n > Integer.MAX_VALUE) throw new IllegalStateException("more than 2^31 values do not fit one float[]");
        return n;
    }

    private float[] flatten(List<String> names) {
        float[] out = new float[(int) length(names)];
        int offset = 0;
        for (String name : names) {
            float[] v = sd.getArrForVarName(name).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
            System.arraycopy(v, 0, out, offset, v.length);
            offset += v.length;
        }
        return out;
    }

    private void assign(List<String> names, float[] flat) {
        if (flat.length != length(names)) {
            throw new IllegalStateException("flat array of " + flat.length + " values for " + length(names) + " model values");
        }
        int offset = 0;
        for (String name : names) {
            INDArray target = sd.getArrForVarName(name);
            int n = (int) target.length();
            float[] slice = new float[n];
            System.arraycopy(flat, offset, slice, 0, n);
            target.assign(Nd4j.createFromArray(slice).reshape(target.shape()).castTo(target.dataType()));
            offset += n;
        }
    }
}
