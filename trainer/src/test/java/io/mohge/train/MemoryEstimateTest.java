package io.mohge.train;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamCount;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryEstimateTest {

    private static final Path TINY = Path.of("../configs/mohge-tiny.yaml");

    private static RunConfig tiny(String... sets) {
        return ConfigLoader.load(TINY, List.of(), List.of(sets));
    }

    private static MemoryEstimate estimate(RunConfig c) {
        return MemoryEstimate.of(c.model(), c.trainer());
    }

    @Test
    void denseModelByHand() {
        // V 256, D 32, L 2, H 2, T 16, dense width 64, B 4
        MemoryEstimate e = estimate(tiny("model.d_model=32", "model.n_heads=2", "model.seq_len=16", "model.ffn=dense",
                "model.dense.width=64", "trainer.batch_size=4"));
        // embedding + output 2*256*32 = 16384, final norm 32; per layer attention 4*32*32 = 4096, norms 2*32 = 64,
        // FFN 3*32*64 = 6144: 10304 x 2 layers = 20608
        assertEquals(37024, e.parameters());
        assertEquals(4 * 37024, e.weightBytes());
        assertEquals(4 * 37024, e.gradientBytes());
        assertEquals(8 * 37024, e.optimizerBytes());
        // B*T = 64 tokens; per layer 12*64*32 = 24576 + scores 2*4*2*16*16 = 4096 + FFN 3*64*64 = 12288 = 40960;
        // x 2 layers = 81920, + head 3*64*256 = 49152: 131072 floats
        assertEquals(4 * 131072, e.activationBytes());
        assertEquals(16 * 37024 + 4 * 131072, e.totalBytes());
        assertEquals(64 * 256, e.largestTensor(), "the logits of a micro-batch");
    }

    @Test
    void mohgeModelByHandAndParametersAgreeWithParamCount() {
        // TrainerTest's model: D 32, H 2, T 16, 2 groups x 2 experts of widths 16 and 32, top-2, B 4
        RunConfig c = tiny("model.d_model=32", "model.n_heads=2", "model.seq_len=16", "model.mohge.groups=2",
                "model.mohge.widths=[16,32]", "model.mohge.group_top_k=2", "allocation.ranks=2", "trainer.batch_size=4");
        MemoryEstimate e = estimate(c);
        // per layer 4096 + 64 + router 32*(4 experts + 2 groups) = 192 + experts 3*32*2*(16+32) = 9216: 13568 x 2
        assertEquals(16416 + 2 * 13568, e.parameters());
        // per layer 24576 + 4096 + router 2*64*6 = 768 + FFN 3*64*(2*32) = 12288: 41728 x 2 + 49152
        assertEquals(4 * (2 * 41728 + 49152), e.activationBytes());
        for (String config : List.of("../configs/mohge-tiny.yaml", "../configs/reference-a3b.yaml")) {
            ModelConfig m = ConfigLoader.load(Path.of(config)).model();
            assertEquals(ParamCount.of(m).totalParams(), MemoryEstimate.parameters(m), config);
        }
        ModelConfig moe = ConfigLoader.load(TINY, List.of(Path.of("../configs/ffn/moe.yaml")), List.of()).model();
        assertEquals(ParamCount.of(moe).totalParams(), MemoryEstimate.parameters(moe));
    }

    @Test
    void impossibleSizesAreRefusedWithTheEstimateTheMemoryAndTheKeys() {
        double ram = 24e9;
        for (String set : List.of("model.d_model=1000000000", "model.seq_len=1000000000", "model.n_layers=100000",
                "model.mohge.experts_per_group=100000")) {
            var e = assertThrows(IllegalArgumentException.class, () -> estimate(tiny(set)).requireFits(ram, 0), set);
            String m = e.getMessage();
            assertTrue(m.startsWith("model: training this config needs at least ") && m.contains("parameters")
                    && m.contains("this machine has 24.0 GB of memory") && m.contains("model.d_model")
                    && m.contains("model.n_layers") && m.contains("model.seq_len") && m.contains("trainer.batch_size"), m);
        }
        var capped = assertThrows(IllegalArgumentException.class,
                () -> estimate(tiny("model.n_layers=100000")).requireFits(ram, 16e9));
        assertTrue(capped.getMessage().contains("24.0 GB of memory and ND4J may use 16.0 GB"), capped.getMessage());
        assertDoesNotThrow(() -> estimate(tiny()).requireFits(ram, 16e9));
        // fits in a (hypothetical) huge memory, but one logits tensor would exceed a Java array
        var tensor = assertThrows(IllegalArgumentException.class,
                () -> estimate(tiny("model.seq_len=65536", "trainer.batch_size=256")).requireFits(1e18, 0));
        assertTrue(tensor.getMessage().startsWith("model: the largest tensor of this config has"), tensor.getMessage());
    }
}
