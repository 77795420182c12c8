package io.mohge.config;

/**
 * Data-parallel training on Apache Spark (YAML section {@code distributed}; used by {@code mohge train --distributed}).
 *
 * <p>Every optimizer step, each of {@code workers} Spark tasks computes the gradient of its slice of the global
 * batch ({@code trainer.batch_size x trainer.grad_accum} sequences per worker); the gradients are summed (by a
 * treeAggregate into the driver, or block by block on the executors), the driver applies the update and broadcasts
 * the new parameters.
 *
 * @param master            Spark master when not launched by spark-submit: {@code local[*]} (embedded), {@code local[N]},
 *                          {@code spark://host:7077}, {@code yarn}; spark-submit's {@code --master} always wins
 * @param workers           data-parallel workers (Spark tasks per step)
 * @param taskMaxFailures   attempts per task before the step fails (Spark retries a failed task on the same inputs)
 * @param aggregationDepth  depth of the treeAggregate that sums the workers' gradients ({@code aggregation: tree})
 * @param aggregation       {@code tree}: every worker's whole gradient goes to the driver through a treeAggregate;
 *                          {@code sharded}: the gradients are cut into blocks that are summed in parallel by executors
 *                          (a shuffle keyed by block id), and the driver receives only the summed blocks
 * @param aggregationBlocks blocks of the sharded aggregation (0 = one per worker)
 */
public record DistributedConfig(String master, int workers, int taskMaxFailures, int aggregationDepth,
                                Aggregation aggregation, int aggregationBlocks) {

    public static final DistributedConfig DEFAULTS = new DistributedConfig("local[*]", 2, 4, 2, Aggregation.TREE, 0);

    /** How the workers' gradients are summed. */
    public enum Aggregation { TREE, SHARDED }

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
        if (aggregation == null) throw new IllegalArgumentException("aggregation: choose tree or sharded");
        if (aggregationBlocks < 0) {
            throw new IllegalArgumentException("aggregation_blocks: must be 0 (one per worker) or positive, got "
                    + aggregationBlocks);
        }
    }

    /** Tree aggregation with the default block setting (tests, notebooks). */
    public DistributedConfig(String master, int workers, int taskMaxFailures, int aggregationDepth) {
        this(master, workers, taskMaxFailures, aggregationDepth, Aggregation.TREE, 0);
    }

    /** Blocks of the sharded aggregation for a gradient of {@code size} values: never more blocks than values. */
    public int blocksFor(long size) {
        long n = aggregationBlocks == 0 ? workers : aggregationBlocks;
        return (int) Math.max(1, Math.min(n, size));
    }
}
