package io.mohge.spark;

import io.mohge.config.DistributedConfig;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SparkSupportTest {

    @Test
    void localMasterGetsRetries() {
        assertEquals("local[*,4]", SparkSupport.localWithRetries(new DistributedConfig("local[*]", 2, 4, 2)));
        assertEquals("local[2,3]", SparkSupport.localWithRetries(new DistributedConfig("local[2]", 2, 3, 2)));
        assertEquals("yarn", SparkSupport.localWithRetries(new DistributedConfig("yarn", 2, 3, 2)));
    }

    /** The embedded context broadcasts float[], retries a failed task, and sums float[] with treeAggregate. */
    @Test
    void broadcastRetryAndTreeAggregate() {
        try (JavaSparkContext sc = SparkSupport.open("spark-support-test", new DistributedConfig("local[2]", 2, 2, 2))) {
            Broadcast<float[]> params = sc.broadcast(new float[] {1f, 2f, 3f});
            JavaRDD<Integer> ranks = sc.parallelize(List.of(0, 1, 2, 3), 4);
            float[] sum = ranks.map(rank -> {
                if (rank == 1 && TaskContext.get().attemptNumber() == 0) {
                    throw new IllegalStateException("injected failure of the first attempt");
                }
                float[] p = params.value();
                return new float[] {p[0] * rank, p[1] * rank, p[2] * rank};
            }).treeAggregate(new float[3], (acc, g) -> add(acc, g), SparkSupportTest::add, 2);
            assertArrayEquals(new float[] {6f, 12f, 18f}, sum, 0f);
        }
    }

    private static float[] add(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }
}
