/**
 * Datasets for MoHGE-J: {@code mohge prepare} and the token reader used by the trainers.
 *
 * <ul>
 *   <li>{@link io.mohge.data.Prepare#prepare(DataConfig, org.apache.hadoop.conf.Configuration, boolean)}: corpus
 *       ({@link io.mohge.data.Corpus}) to token shards ({@link io.mohge.data.ShardHeader} documents the file
 *       format) and {@code manifest.json} ({@link io.mohge.data.Manifest}), through the Hadoop FileSystem API.</li>
 *   <li>Tokenizers ({@link io.mohge.data.TextTokenizer}): {@link io.mohge.data.ByteTokenizer},
 *       {@link io.mohge.data.BpeTokenizer} trained by {@link io.mohge.data.BpeTrainer}.</li>
 *   <li>{@link io.mohge.data.TokenDataset}: validated positioned reads, validation batches, shard block
 *       locations, the unigram baseline; {@link io.mohge.data.BatchSampler} and
 *       {@link io.mohge.data.DataPosition} for shuffled, per-rank, resumable training batches.</li>
 * </ul>
 */
package io.mohge.data;
