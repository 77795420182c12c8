package io.mohge.spark;

/**
 * Where the wall time of one data-parallel gradient step went (measured on the driver and in the tasks; all in one
 * machine's clock when the cluster is local).
 *
 * @param broadcastNanos creating the step's broadcast on the driver plus the slowest worker's fetch of it
 *                       (transfer, deserialisation, copy into the model)
 * @param computeNanos   the slowest worker's reading of its windows and forward and backward passes
 * @param aggregateNanos everything else until the summed gradient is an array on the driver: task scheduling, result
 *                       serialisation and transfer, the sums (treeAggregate, or the shuffle and block sums of the
 *                       sharded aggregation), the division by the micro-batch count
 * @param totalNanos     the whole step as the training loop sees it (excluding the optimizer update)
 */
public record StepTimings(long broadcastNanos, long computeNanos, long aggregateNanos, long totalNanos) {

    public StepTimings {
        if (broadcastNanos < 0 || computeNanos < 0 || aggregateNanos < 0 || totalNanos < 0) {
            throw new IllegalArgumentException("step timings must not be negative");
        }
    }
}
