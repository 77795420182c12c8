package io.mohge.mixture;

import io.mohge.files.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * One EM round's assignment on disk: {@code "MHSA"}, version 1, train and validation counts (ints, big-endian),
 * one byte per train sequence, one per validation sequence, then the CRC32 of everything before it. Written
 * atomically (temporary file + rename); a damaged file is refused by name.
 *
 * @param train router of every train sequence
 * @param val   router of every validation sequence
 */
public record AssignmentFile(byte[] train, byte[] val) {

    private static final byte[] MAGIC = "MHSA".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    public void write(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + train.length + val.length + 8);
        b.put(MAGIC).putInt(VERSION).putInt(train.length).putInt(val.length).put(train).put(val);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putLong(crc.getValue());
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, b.array());
    }

    public static AssignmentFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": the EM assignment is missing; the router training in this run.out_dir is "
                    + "incomplete, start it again in a new run.out_dir");
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[4];
        if (bytes.length < 24) throw damaged(file, "too short");
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC) || b.getInt() != VERSION) throw damaged(file, "not an assignment file");
        int n = b.getInt();
        int nv = b.getInt();
        if (n < 0 || nv < 0 || bytes.length != 16 + (long) n + nv + 8) throw damaged(file, "wrong length");
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, 16 + n + nv);
        if (crc.getValue() != ByteBuffer.wrap(bytes, 16 + n + nv, 8).getLong()) throw damaged(file, "checksum mismatch");
        byte[] train = new byte[n];
        byte[] val = new byte[nv];
        b.get(train).get(val);
        return new AssignmentFile(train, val);
    }

    private static IOException damaged(Path file, String what) {
        return new IOException(file + ": damaged EM assignment (" + what + "); restore it or start the router training "
                + "again in a new run.out_dir");
    }
}
