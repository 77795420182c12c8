package io.mohge.data;

/**
 * One shard as listed in the manifest.
 *
 * @param file   file name inside the dataset directory, e.g. {@code train-00003.bin}
 * @param tokens number of tokens in the shard
 * @param crc32c CRC32C of its token payload (the value in its header)
 * @param bytes  file length in bytes (header included)
 */
public record ShardInfo(String file, long tokens, long crc32c, long bytes) {
}
