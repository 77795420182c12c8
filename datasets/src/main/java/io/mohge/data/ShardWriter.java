package io.mohge.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cuts the token stream of one split into shard files {@code <split>-00000.bin, ...} of {@code shardTokens}
 * tokens each (the last one shorter), in the format of {@link ShardHeader}.
 *
 * <p>A shard is assembled in memory (its header needs the token count and payload checksum, and HDFS streams
 * cannot seek back), then written atomically: to a temporary name, then renamed.
 */
final class ShardWriter {

    private final DataLocation dir;
    private final Split split;
    private final int vocabSize;
    private final int width;
    private final ByteBuffer payload;
    private final int shardTokens;
    private final List<ShardInfo> shards = new ArrayList<>();
    private int filled;
    private long bytesWritten;

    ShardWriter(DataLocation dir, Split split, int vocabSize, int shardTokens) {
        this.dir = dir;
        this.split = split;
        this.vocabSize = vocabSize;
        this.width = ShardHeader.widthFor(vocabSize);
        this.shardTokens = shardTokens;
        this.payload = ByteBuffer.allocate(Math.multiplyExact(shardTokens, width)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** File name of shard {@code index} of {@code split}. */
    static String fileName(Split split, int index) {
        return String.format(Locale.ROOT, "%s-%05d.bin", split.key(), index);
    }

    void add(int token) throws IOException {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalStateException("token " + token + " outside the vocabulary [0, " + vocabSize + ")");
        }
        if (width == 2) payload.putShort((short) token); else payload.putInt(token);
        if (++filled == shardTokens) flush();
    }

    /** Writes the last, partial shard and returns every shard written. */
    List<ShardInfo> finish() throws IOException {
        if (filled > 0) flush();
        return List.copyOf(shards);
    }

    long bytesWritten() { return bytesWritten; }

    private void flush() throws IOException {
        byte[] body = payload.array();
        int len = payload.position();
        ShardHeader header = new ShardHeader(ShardHeader.VERSION, vocabSize, width, filled,
                ShardHeader.crc(body, 0, len));
        byte[] file = new byte[ShardHeader.SIZE + len];
        System.arraycopy(header.toBytes(), 0, file, 0, ShardHeader.SIZE);
        System.arraycopy(body, 0, file, ShardHeader.SIZE, len);
        String name = fileName(split, shards.size());
        dir.child(name).writeAtomically(file);
        shards.add(new ShardInfo(name, filled, header.payloadCrc(), file.length));
        bytesWritten += file.length;
        payload.clear();
        filled = 0;
    }
}
