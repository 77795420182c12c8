package io.mohge.tensors;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.annotations.JsonAdapter;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.mohge.json.JsonRecords.required;

/**
 * The JSON header of a safetensors file, read and written by Gson ({@link io.mohge.json.JsonRecords}):
 * {@code {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}}. One
 * object holds both the metadata (under the reserved key) and the tensors, so {@link Adapter} sorts the keys
 * into the two maps; each tensor's entry is an {@link Entry} record.
 *
 * @param metadata string metadata, in file order (empty if the file has none)
 * @param tensors  entry of every tensor, in file order
 */
@JsonAdapter(SafetensorsHeader.Adapter.class)
record SafetensorsHeader(Map<String, String> metadata, Map<String, Entry> tensors) {

    static final String METADATA_KEY = "__metadata__";

    /**
     * One tensor: dtype name, shape and the byte range of its data, relative to the end of the header.
     */
    record Entry(String dtype, long[] shape, long[] dataOffsets) {
        Entry {
            required(dtype, "dtype");
            required(shape, "shape");
            if (required(dataOffsets, "data_offsets").length != 2) {
                throw new IllegalArgumentException("data_offsets: expected [begin, end], got "
                        + Arrays.toString(dataOffsets));
            }
        }
    }

    /** Reads and writes the header object: {@value #METADATA_KEY} first, then the tensors. */
    static final class Adapter implements TypeAdapterFactory {
        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
            TypeAdapter<Map<String, String>> metadata = gson.getAdapter(new TypeToken<>() { });
            TypeAdapter<Entry> entry = gson.getAdapter(Entry.class);
            return (TypeAdapter<T>) new TypeAdapter<SafetensorsHeader>() {
                @Override
                public void write(JsonWriter out, SafetensorsHeader h) throws IOException {
                    out.beginObject();
                    if (!h.metadata().isEmpty()) metadata.write(out.name(METADATA_KEY), h.metadata());
                    for (Map.Entry<String, Entry> e : h.tensors().entrySet()) entry.write(out.name(e.getKey()), e.getValue());
                    out.endObject();
                }

                @Override
                public SafetensorsHeader read(JsonReader in) throws IOException {
                    Map<String, String> meta = new LinkedHashMap<>();
                    Map<String, Entry> tensors = new LinkedHashMap<>();
                    in.beginObject();
                    while (in.hasNext()) {
                        String name = in.nextName();
                        if (name.equals(METADATA_KEY)) {
                            meta.putAll(required(metadata.read(in), METADATA_KEY));
                        } else if (tensors.put(name, readEntry(in, name)) != null) {
                            throw new IllegalArgumentException("tensor '" + name + "' is listed twice");
                        }
                    }
                    in.endObject();
                    return new SafetensorsHeader(meta, tensors);
                }

                private Entry readEntry(JsonReader in, String name) throws IOException {
                    try {
                        return required(entry.read(in), name);
                    } catch (JsonParseException | IllegalStateException e) { // a type mismatch: the path names it
                        throw e;
                    } catch (RuntimeException e) { // Gson wraps what the Entry constructor throws
                        if (e.getCause() instanceof IllegalArgumentException bad) {
                            throw new IllegalArgumentException("tensor '" + name + "': " + bad.getMessage(), bad);
                        }
                        throw e;
                    }
                }
            };
        }
    }
}
