package io.mohge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import io.mohge.losses.LossNames;

/**
 * The float32 engine on the fast CPU kernels (cblas products, SIMD element-wise work) against the same engine on
 * the ND4J-op kernels, whose maths the float64 oracle test pins down: losses and every gradient agree to float
 * rounding.
 */
class EngineKernelsTest {

    static List<OracleCase> cases() {
        return OracleCase.all().stream()
                .filter(c -> List.of("dense", "mohge shared experts", "moe capacity drops", "mohge softmax reference")
                        .contains(c.name()))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fastKernelsMatchNd4jKernels(OracleCase c) {
        Transformer fast = Transformer.create(c.model(), c.losses(), 5, DataType.FLOAT, Kernels.forType(DataType.FLOAT));
        Transformer slow = Transformer.create(c.model(), c.losses(), 5, DataType.FLOAT, new Nd4jKernels());
        assertTrue(Kernels.forType(DataType.FLOAT) instanceof VectorKernels);
        fast.params().state().forEach((name, bias) -> bias.putScalar(0, c.biasOnExpert0()));
        slow.params().state().forEach((name, bias) -> bias.putScalar(0, c.biasOnExpert0()));
        Batch batch = OracleCase.batch(4);
        fast.params().zeroGrads();
        slow.params().zeroGrads();
        Transformer.Result a = fast.forwardBackward(batch, 1.0, 0.5);
        Transformer.Result b = slow.forwardBackward(batch, 1.0, 0.5);
        for (String term : LossNames.ALL) {
            assertEquals(b.losses().get(term), a.losses().get(term), 1e-5 * Math.max(1, Math.abs(b.losses().get(term))), term);
        }
        assertEquals(b.dropped(), a.dropped());
        for (String name : slow.params().names()) {
            double scale = Math.max(1e-3, slow.params().grad(name).amaxNumber().doubleValue());
            double diff = slow.params().grad(name).sub(fast.params().grad(name)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-4 * scale, name + ": max |diff| " + diff + " for max |grad| " + scale);
        }
    }
}
