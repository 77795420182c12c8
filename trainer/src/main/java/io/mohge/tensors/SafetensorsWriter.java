package io.mohge.tensors;

import io.mohge.files.AtomicFiles;
import io.mohge.json.JsonRecords;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the safetensors format (https://github.com/huggingface/safetensors, "Format" section):
 * <pre>
 *   8 bytes   N, unsigned little-endian 64-bit: length of the header
 *   N bytes   UTF-8 JSON: {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
 *   rest      tensor data, little-endian, row-major; offsets are relative to the end of the header
 * </pre>
 * Tensors are laid out in sorted name order without gaps; the header is padded with spaces to a multiple of
 * 8 bytes so that the data is aligned. Values are converted from float32 to the requested dtype with
 * round-to-nearest-even ({@link HalfFloats}). The file is written through {@link AtomicFiles} (temporary sibling
 * renamed into place, permissions from the umask as for any new file).
 */
public final class SafetensorsWriter {

    /** Reserved header key for string metadata. */
    public static final String METADATA_KEY = SafetensorsHeader.METADATA_KEY;

    private SafetensorsWriter() { }

    /** Bytes per element of a dtype. */
    public static int bytesPerElement(DType dtype) {
        return dtype == DType.F32 ? 4 : 2;
    }

    public static void write(Path file, Map<String, FloatTensor> tensors, DType dtype, Map<String, String> metadata)
            throws IOException {
        TreeMap<String, FloatTensor> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, dtype, metadata);
        AtomicFiles.write(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            for (FloatTensor t : sorted.values()) {
                writeFully(ch, encode(t.data(), dtype));
            }
        });
    }

    private static byte[] header(TreeMap<String, FloatTensor> sorted, DType dtype, Map<String, String> metadata) {
        Map<String, SafetensorsHeader.Entry> entries = new LinkedHashMap<>();
        long offset = 0;
        int width = bytesPerElement(dtype);
        for (Map.Entry<String, FloatTensor> e : sorted.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name '" + name + "' is reserved or empty");
            }
            FloatTensor t = e.getValue();
            long end = offset + (long) t.data().length * width;
            entries.put(name, new SafetensorsHeader.Entry(dtype.name(), t.shape(), new long[] {offset, end}));
            offset = end;
        }
        Map<String, String> meta = metadata == null ? Map.of() : new TreeMap<>(metadata);
        byte[] json = JsonRecords.writeCompact(new SafetensorsHeader(meta, entries)).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private static ByteBuffer encode(float[] values, DType dtype) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * bytesPerElement(dtype)).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().put(values);
            case F16 -> {
                for (float v : values) buf.putShort(HalfFloats.toF16(v));
            }
            case BF16 -> {
                for (float v : values) buf.putShort(HalfFloats.toBF16(v));
            }
        }
        buf.position(0);
        return buf;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }
}
