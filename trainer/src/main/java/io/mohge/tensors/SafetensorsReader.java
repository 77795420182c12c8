package io.mohge.tensors;


import io.mohge.json.JsonRecords;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a safetensors file (F32, F16 or BF16) into float32 tensors, validating it against the format:
 * header length within the file, a JSON object header, known dtypes, offsets that match the shapes and
 * tile the data area exactly. Written independently of {@link SafetensorsWriter} (it shares no code with it)
 * so that tests can use it to check what the writer produced. A file that breaks the format is an IOException
 * naming the file, like one that cannot be read.
 */
public final class SafetensorsReader {

    /** One stored tensor as found in the file, converted to float32. */
    public record Entry(DType dtype, FloatTensor tensor) { }

    /** The whole file: tensors by name (sorted) and the string metadata. */
    public record Contents(Map<String, Entry> entries, Map<String, String> metadata) {
        /** Tensors by name, float32. */
        public Map<String, FloatTensor> tensors() {
            Map<String, FloatTensor> out = new TreeMap<>();
            entries.forEach((k, v) -> out.put(k, v.tensor()));
            return out;
        }
    }

    private static final long MAX_HEADER = 100L << 20; // the reference implementation's limit (100 MB)

    private SafetensorsReader() { }

    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "only " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer lenBuf = readAt(ch, 0, 8, file);
            long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw bad(file, "header length " + headerLen + " does not fit the file size " + size
                        + " (truncated or not a safetensors file)");
            }
            String json = StandardCharsets.UTF_8.decode(readAt(ch, 8, (int) headerLen, file)).toString();
            SafetensorsHeader header;
            try {
                header = JsonRecords.read(json, SafetensorsHeader.class);
            } catch (IllegalArgumentException e) {
                throw bad(file, "header: " + e.getMessage());
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = header.metadata();
            List<Span> spans = new ArrayList<>();
            for (Map.Entry<String, SafetensorsHeader.Entry> e : header.tensors().entrySet()) {
                spans.add(span(file, e.getKey(), e.getValue()));
            }
            spans.sort(Comparator.comparingLong(Span::begin));
            long expected = 0;
            for (Span s : spans) {
                if (s.begin != expected) {
                    throw bad(file, "tensor '" + s.name + "' starts at data offset " + s.begin + " but the previous "
                            + "tensor ends at " + expected + " (overlapping or gap in data_offsets)");
                }
                expected = s.end;
            }
            if (expected != dataLen) {
                throw bad(file, "tensors cover " + expected + " data bytes but the file holds " + dataLen
                        + (expected > dataLen ? " (truncated)" : " (trailing bytes)"));
            }
            Map<String, Entry> entries = new TreeMap<>();
            for (Span s : spans) {
                ByteBuffer raw = readAt(ch, dataStart + s.begin, (int) (s.end - s.begin), file);
                entries.put(s.name, new Entry(s.dtype, new FloatTensor(s.shape, decode(raw, s.dtype))));
            }
            return new Contents(Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
        }
    }

    private record Span(String name, DType dtype, long[] shape, long begin, long end) { }

    private static Span span(Path file, String name, SafetensorsHeader.Entry entry) throws IOException {
        DType dtype;
        try {
            dtype = DType.valueOf(entry.dtype());
        } catch (IllegalArgumentException e) {
            throw bad(file, "tensor '" + name + "' has dtype " + entry.dtype() + "; only F32, F16 and BF16 are supported");
        }
        long[] shape = entry.shape();
        long begin = entry.dataOffsets()[0];
        long end = entry.dataOffsets()[1];
        int width = dtype == DType.F32 ? 4 : 2;
        long bytes;
        try {
            bytes = Math.multiplyExact(FloatTensor.elementCount(shape), width);
        } catch (IllegalArgumentException | ArithmeticException e) { // a negative or overflowing dimension
            throw bad(file, "tensor '" + name + "' has shape " + Arrays.toString(shape) + ", which holds no valid "
                    + "number of elements");
        }
        if (begin < 0 || end - begin != bytes) {
            throw bad(file, "tensor '" + name + "' of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + bytes + " bytes but data_offsets are [" + begin + ", " + end + "]");
        }
        return new Span(name, dtype, shape, begin, end);
    }

    private static float[] decode(ByteBuffer raw, DType dtype) {
        raw.order(ByteOrder.LITTLE_ENDIAN);
        int width = dtype == DType.F32 ? 4 : 2;
        float[] out = new float[raw.remaining() / width];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case F32 -> raw.getFloat();
                case F16 -> HalfFloats.fromF16(raw.getShort());
                case BF16 -> HalfFloats.fromBF16(raw.getShort());
            };
        }
        return out;
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length, Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw bad(file, "unexpected end of file at byte " + pos);
            pos += n;
        }
        return buf.flip();
    }

    private static IOException bad(Path file, String what) {
        return new IOException("safetensors file " + file + ": " + what);
    }
}
