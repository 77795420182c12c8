package io.mohge.spark;

import io.mohge.distributed.DistributedRuntime;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** With this module on the class path, --distributed finds it through ServiceLoader (META-INF/services). */
class SparkRuntimeTest {

    @Test
    void theServiceLoaderFindsTheSparkRuntime() {
        assertInstanceOf(SparkRuntime.class, DistributedRuntime.load());
    }
}
