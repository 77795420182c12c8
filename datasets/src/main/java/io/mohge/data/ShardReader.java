package io.mohge.data;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;

/**
 * Positioned reads ({@link FSDataInputStream#readFully(long, byte[], int, int)}) of one shard file.
 *
 * <p>Opening checks the cheap things against the manifest entry: file present, length, header (magic, version,
 * header checksum, vocab, token count, payload checksum value). The first token read verifies the CRC32C of the
 * whole payload once ({@link #verify()}). Thread-safe: positioned reads do not move a shared file pointer.
 */
final class ShardReader implements AutoCloseable {

    private static final int VERIFY_CHUNK = 1 << 20;

    private final DataLocation file;
    private final ShardHeader header;
    private FSDataInputStream in;
    private volatile boolean verified;

    ShardReader(DataLocation file, ShardInfo expected, int vocabSize) throws IOException {
        this.file = file;
        String name = file.toString();
        if (!file.fs().exists(file.path())) throw new ShardFormatException(name, "shard file listed in the manifest is missing");
        FileStatus st = file.fs().getFileStatus(file.path());
        if (st.getLen() < ShardHeader.SIZE) {
            throw new ShardFormatException(name, "truncated: " + st.getLen() + " bytes, shorter than the "
                    + ShardHeader.SIZE + "-byte header");
        }
        byte[] h = new byte[ShardHeader.SIZE];
        try (FSDataInputStream s = file.fs().open(file.path())) {
            s.readFully(0, h);
        }
        header = ShardHeader.parse(h, name);
        if (header.vocabSize() != vocabSize) {
            throw new ShardFormatException(name, "vocabulary " + header.vocabSize() + " but the manifest says " + vocabSize);
        }
        if (header.tokenCount() != expected.tokens() || header.payloadCrc() != expected.crc32c()) {
            throw new ShardFormatException(name, "header (" + header.tokenCount() + " tokens, crc32c "
                    + header.payloadCrc() + ") disagrees with the manifest (" + expected.tokens() + " tokens, crc32c "
                    + expected.crc32c() + ")");
        }
        if (st.getLen() < header.fileLength()) {
            throw new ShardFormatException(name, "truncated: " + st.getLen() + " bytes, the header announces "
                    + header.tokenCount() + " tokens = " + header.fileLength() + " bytes");
        }
        if (st.getLen() > header.fileLength()) {
            throw new ShardFormatException(name, (st.getLen() - header.fileLength())
                    + " unexpected bytes after the last token");
        }
    }

    long tokens() { return header.tokenCount(); }

    DataLocation file() { return file; }

    /** Reads {@code len} tokens starting at token {@code offset} of this shard into {@code dst[dstOff..]}. */
    void read(long offset, int[] dst, int dstOff, int len) throws IOException {
        if (offset < 0 || len < 0 || offset + len > header.tokenCount()) {
            throw new IndexOutOfBoundsException(file + ": tokens [" + offset + ", " + (offset + len)
                    + ") outside [0, " + header.tokenCount() + ")");
        }
        if (!verified) verify();
        int w = header.tokenWidth();
        byte[] buf = new byte[len * w];
        readBytes(ShardHeader.SIZE + offset * w, buf, buf.length);
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < len; i++) dst[dstOff + i] = w == 2 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    }

    /** Checks the CRC32C of the whole payload against the header; reads the file once. */
    synchronized void verify() throws IOException {
        if (verified) return;
        CRC32C crc = new CRC32C();
        long total = header.tokenCount() * header.tokenWidth();
        byte[] buf = new byte[(int) Math.min(VERIFY_CHUNK, Math.max(total, 1))];
        for (long done = 0; done < total; ) {
            int n = (int) Math.min(buf.length, total - done);
            readBytes(ShardHeader.SIZE + done, buf, n);
            crc.update(buf, 0, n);
            done += n;
        }
        if (crc.getValue() != header.payloadCrc()) {
            throw new ShardFormatException(file.toString(), "checksum mismatch: token payload CRC32C is "
                    + crc.getValue() + ", the header says " + header.payloadCrc() + " (corrupt file)");
        }
        verified = true;
    }

    private void readBytes(long pos, byte[] buf, int len) throws IOException {
        try {
            stream().readFully(pos, buf, 0, len);
        } catch (EOFException e) {
            throw new ShardFormatException(file.toString(), "truncated while reading bytes [" + pos + ", "
                    + (pos + len) + ")");
        }
    }

    private synchronized FSDataInputStream stream() throws IOException {
        if (in == null) in = file.fs().open(file.path());
        return in;
    }

    @Override
    public synchronized void close() throws IOException {
        if (in != null) in.close();
        in = null;
    }
}
