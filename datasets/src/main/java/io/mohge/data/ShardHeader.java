package io.mohge.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Fixed 64-byte header of a token shard file. All integers little-endian.
 *
 * <pre>
 * offset size  field
 *      0    8  magic, the ASCII bytes "MOHGETOK"
 *      8    4  format version (int32, currently 1)
 *     12    4  vocabulary size (int32); every token is in [0, vocab)
 *     16    4  token width in bytes (int32): 2 (unsigned 16-bit) when vocab &lt;= 65536, else 4 (int32)
 *     20    4  header size in bytes (int32, 64)
 *     24    8  token count (int64)
 *     32    4  CRC32C (Castagnoli) of the token payload, i.e. of bytes [64, 64 + count * width)
 *     36    4  CRC32C of header bytes [0, 36)
 *     40   24  reserved, zero
 *     64  ...  tokens, little-endian, count * width bytes; nothing follows them
 * </pre>
 *
 * @param version     format version
 * @param vocabSize   vocabulary size
 * @param tokenWidth  bytes per token (2 or 4)
 * @param tokenCount  number of tokens in the payload
 * @param payloadCrc  CRC32C of the payload (unsigned 32-bit value held in a long)
 */
public record ShardHeader(int version, int vocabSize, int tokenWidth, long tokenCount, long payloadCrc) {

    public static final int SIZE = 64;
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "MOHGETOK".getBytes(StandardCharsets.US_ASCII);

    /** Token width for a vocabulary: 2 bytes up to 65536 tokens, else 4. */
    public static int widthFor(int vocabSize) { return vocabSize <= 65536 ? 2 : 4; }

    /** Expected file length: header plus payload. */
    public long fileLength() { return SIZE + tokenCount * tokenWidth; }

    /** Serialises the header (64 bytes). */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(version).putInt(vocabSize).putInt(tokenWidth).putInt(SIZE)
                .putLong(tokenCount).putInt((int) payloadCrc);
        b.putInt((int) crc(b.array(), 0, 36));
        return b.array();
    }

    /**
     * Parses and checks a header read from {@code file}.
     *
     * @throws ShardFormatException naming {@code file} on bad magic, version, header checksum or field values
     */
    public static ShardHeader parse(byte[] bytes, String file) throws ShardFormatException {
        if (bytes.length < SIZE) throw new ShardFormatException(file, "truncated header (" + bytes.length + " bytes)");
        if (!Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new ShardFormatException(file, "bad magic (not a MoHGE-J token shard)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new ShardFormatException(file, "shard format version " + version + ", this build reads version "
                    + VERSION);
        }
        long headerCrc = b.getInt(36) & 0xFFFFFFFFL;
        if (headerCrc != crc(bytes, 0, 36)) throw new ShardFormatException(file, "header checksum mismatch");
        int vocab = b.getInt(12);
        int width = b.getInt(16);
        int headerSize = b.getInt(20);
        long count = b.getLong(24);
        if (vocab < 1 || width != widthFor(vocab) || headerSize != SIZE || count < 0) {
            throw new ShardFormatException(file, "inconsistent header (vocab " + vocab + ", width " + width
                    + ", header size " + headerSize + ", tokens " + count + ")");
        }
        return new ShardHeader(version, vocab, width, count, b.getInt(32) & 0xFFFFFFFFL);
    }

    static long crc(byte[] bytes, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, off, len);
        return c.getValue();
    }
}
