package io.mohge.tensors;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static Map<String, FloatTensor> sample() {
        Map<String, FloatTensor> t = new LinkedHashMap<>();
        t.put("zeta.weight", new FloatTensor(new long[]{2, 3}, new float[]{1, -2, 3.5f, 0.1f, 1e-3f, 65504f}));
        t.put("alpha", new FloatTensor(new long[]{4}, new float[]{0.25f, -0.5f, 1f / 3f, 7f}));
        t.put("scalar", new FloatTensor(new long[]{}, new float[]{42f}));
        return t;
    }

    @Test
    void f32LayoutFollowsTheSpecByteForByte() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, sample(), DType.F32, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data must start 8-byte aligned");
        JsonObject header = JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("pt", header.getAsJsonObject("__metadata__").get("format").getAsString());
        List<String> names = new ArrayList<>(header.keySet());
        names.remove("__metadata__");
        assertEquals(List.of("alpha", "scalar", "zeta.weight"), names, "tensors sorted by name");
        // alpha first at offset 0 (16 bytes), scalar next (4 bytes), then zeta (24 bytes)
        assertEquals("[0,16]", header.getAsJsonObject("alpha").get("data_offsets").toString());
        assertEquals("[16,20]", header.getAsJsonObject("scalar").get("data_offsets").toString());
        assertEquals("[20,44]", header.getAsJsonObject("zeta.weight").get("data_offsets").toString());
        assertEquals("[2,3]", header.getAsJsonObject("zeta.weight").get("shape").toString());
        assertEquals("[]", header.getAsJsonObject("scalar").get("shape").toString());
        assertEquals(8 + n + 44, bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 44).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0.25f, data.getFloat());
        assertEquals(-0.5f, data.getFloat());
        data.position(data.position() + 8);
        assertEquals(42f, data.getFloat());
        assertEquals(1f, data.getFloat());
    }

    @Test
    void roundTripsEachDtype() throws IOException {
        for (DType dtype : DType.values()) {
            Path f = dir.resolve(dtype + ".safetensors");
            SafetensorsWriter.write(f, sample(), dtype, Map.of());
            SafetensorsReader.Contents c = SafetensorsReader.read(f);
            assertEquals(sample().keySet(), c.entries().keySet());
            for (var e : sample().entrySet()) {
                SafetensorsReader.Entry got = c.entries().get(e.getKey());
                assertEquals(dtype, got.dtype());
                assertArrayEquals(e.getValue().shape(), got.tensor().shape());
                float[] want = e.getValue().data().clone();
                for (int i = 0; i < want.length; i++) {
                    want[i] = switch (dtype) {
                        case F32 -> want[i];
                        case F16 -> HalfFloats.fromF16(HalfFloats.toF16(want[i]));
                        case BF16 -> HalfFloats.fromBF16(HalfFloats.toBF16(want[i]));
                    };
                }
                assertArrayEquals(want, got.tensor().data(), dtype + " " + e.getKey());
            }
        }
    }

    @Test
    void readsAHandBuiltFileWithUnpaddedHeaderAndUnsortedOffsets() throws IOException {
        // a file as another writer might produce it: b's data before a's, F16, header not padded
        String json = "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[0,4]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        buf.putShort((short) 0x3F80).putShort((short) 0xC000); // b = [1, -2] in bf16
        buf.putShort((short) 0x3C00).putShort((short) 0x3800); // a = [1, 0.5] in f16
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, buf.array());
        var c = SafetensorsReader.read(f);
        assertArrayEquals(new float[]{1f, 0.5f}, c.tensors().get("a").data());
        assertArrayEquals(new float[]{1f, -2f}, c.tensors().get("b").data());
        assertArrayEquals(new long[]{1, 2}, c.tensors().get("b").shape());
    }

    @Test
    void truncatedOrGarbledFilesAreRejectedNamingTheFile() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafetensorsWriter.write(f, sample(), DType.F32, Map.of());
        byte[] bytes = Files.readAllBytes(f);

        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 3));
        var e1 = assertThrows(IOException.class, () -> SafetensorsReader.read(cut));
        assertTrue(e1.getMessage().contains(cut.toString()) && e1.getMessage().contains("truncated"), e1.getMessage());

        Path headerCut = dir.resolve("hcut.safetensors");
        Files.write(headerCut, Arrays.copyOf(bytes, 20));
        var e2 = assertThrows(IOException.class, () -> SafetensorsReader.read(headerCut));
        assertTrue(e2.getMessage().contains(headerCut.toString()), e2.getMessage());

        Path garbled = dir.resolve("garbled.safetensors");
        byte[] g = bytes.clone();
        g[9] = '#';
        Files.write(garbled, g);
        var e3 = assertThrows(IOException.class, () -> SafetensorsReader.read(garbled));
        assertTrue(e3.getMessage().contains(garbled.toString()), e3.getMessage());
    }

    @Test
    void headerBytesAreThoseOfEarlierBuilds() throws IOException {
        Path f = dir.resolve("h.safetensors");
        SafetensorsWriter.write(f, sample(), DType.F32, Map.of("format", "pt", "step", "7"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String json = "{\"__metadata__\":{\"format\":\"pt\",\"step\":\"7\"},"
                + "\"alpha\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]},"
                + "\"zeta.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[20,44]}}";
        int padded = (json.length() + 7) / 8 * 8;
        assertEquals(padded, n);
        assertEquals(json + " ".repeat(padded - json.length()), new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals(Map.of("format", "pt", "step", "7"), SafetensorsReader.read(f).metadata());
    }

    @Test
    void aHeaderWithAMissingOrMistypedKeyNamesTensorAndKey() throws IOException {
        assertEquals("header: tensor 'a': data_offsets: missing", rejectHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}"));
        assertEquals("header: tensor 'a': data_offsets: expected [begin, end], got [0]",
                rejectHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}"));
        assertEquals("header: a.shape[0]: expected a long, got 1.5",
                rejectHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}"));
        assertEquals("header: a: expected a JSON object, got a number", rejectHeader("{\"a\":4}"));
        assertEquals("header: __metadata__: expected a JSON object, got a number",
                rejectHeader("{\"__metadata__\":5,\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"));
        assertEquals("tensor 'a' has shape [-1, -4], which holds no valid number of elements",
                rejectHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,-4],\"data_offsets\":[0,4]}}"));
    }

    /** The message for a file with header {@code json} and 4 data bytes, without the "safetensors file F: " part. */
    private String rejectHeader(String json) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).putFloat(1f);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, buf.array());
        String msg = assertThrows(IOException.class, () -> SafetensorsReader.read(f)).getMessage();
        String prefix = "safetensors file " + f + ": ";
        assertTrue(msg.startsWith(prefix), msg);
        return msg.substring(prefix.length());
    }

    @Test
    void shapeAndDataMustAgree() {
        assertThrows(IllegalArgumentException.class, () -> new FloatTensor(new long[]{2, 2}, new float[3]));
    }
}
