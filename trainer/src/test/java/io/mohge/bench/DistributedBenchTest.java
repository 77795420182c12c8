package io.mohge.bench;

import io.mohge.config.DistributedConfig.Aggregation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The scale-out bench's cases (the measuring is the Spark module's ScaleOutBenchTest). */
class DistributedBenchTest {

    @Test
    void refusesEmptyOrImpossibleSettings() {
        DistributedBench.Size s = DistributedBench.Size.of("1m");
        assertEquals("1M", s.label());
        assertThrows(IllegalArgumentException.class, () -> DistributedBench.Size.of("5m"));
        assertThrows(IllegalArgumentException.class,
                () -> new DistributedBench.Options(List.of(s), List.of(), List.of(Aggregation.TREE), 1, 1, 1, 16));
        assertThrows(IllegalArgumentException.class,
                () -> new DistributedBench.Options(List.of(s), List.of(0), List.of(Aggregation.TREE), 1, 1, 1, 16));
        assertThrows(IllegalArgumentException.class,
                () -> new DistributedBench.Options(List.of(s), List.of(1), List.of(Aggregation.TREE), 1, 0, 1, 16));
    }
}
