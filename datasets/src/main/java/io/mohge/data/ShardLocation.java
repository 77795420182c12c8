package io.mohge.data;

import java.util.List;

/**
 * Where a shard's bytes live, for locality-aware scheduling (e.g. Spark preferred locations).
 *
 * @param split  the split the shard belongs to
 * @param index  shard index within the split (stream order)
 * @param path   fully qualified path of the shard file
 * @param tokens tokens in the shard
 * @param bytes  file length
 * @param hosts  hosts holding replicas of its blocks, most bytes first (ties by name); empty if unknown
 */
public record ShardLocation(Split split, int index, String path, long tokens, long bytes, List<String> hosts) {
}
