package io.mohge.spark;

/**
 * Data-parallel training on Apache Spark (YAML section {@code distributed}; used by {@code mohge train --distributed}).
 *
 * <p>Every optimizer step, each of {@code workers} Spark tasks computes the gradient of its slice of the global
 * batch ({@code trainer.batch_size x trainer.grad_accum} sequences per worker); the driver sums them with
 * treeAggregate, applies the update and broadcasts the new parameters.
 *
 * @param master          Spark master when not launched by spark-submit: {@code local[*]} (embedded), {@code local[N]},
 *                        {@code spark://host:7077}, {@code yarn}; spark-submit's {@code --master} always wins
 * @param workers         data-parallel workers (Spark tasks per step)
 * @param taskMaxFailures attempts per task before the step fails (Spark retries a failed task on the same inputs)
 * @param aggregationDepth depth of the treeAggregate that sums the workers' gradients
 */
public record DistributedConfig(String master, int workers, int taskMaxFailures, int aggregationDepth) {

    public static final DistributedConfig DEFAULTS = new DistributedConfig("local[*]", 2, 4, 2);

    public DistributedConfig {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("master: empty; use local[*], local[4], spark://host:7077 or yarn");
        }
        if (workers < 1) throw new IllegalArgumentException("workers: must be 1 or more, got " + workers);
        if (taskMaxFailures < 1) {
            throw new IllegalArgumentException("task_max_failures: must be 1 or more, got " + taskMaxFailures);
        }
        if (aggregationDepth < 1) {
            throw new IllegalArgumentException("aggregation_depth: must be 1 or more, got " + aggregationDepth);
        }
    }
}
