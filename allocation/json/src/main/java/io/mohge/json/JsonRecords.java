package io.mohge.json;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;

/**
 * The one way the project writes and reads a JSON file: Gson records with snake_case keys (component
 * {@code rngSeed} is key {@code rng_seed}), validated in their constructors. Reading is strict, and every problem
 * is an {@link IllegalArgumentException} whose message starts with the key (a JSON path such as
 * {@code files.params.safetensors.bytes}), never an exception from inside Gson; callers put the file name in
 * front. It is a module of its own ({@code allocation/json}, below every other module), so that allocation
 * (placement.json), datasets (manifest.json, the BPE tokenizer) and the trainer all use this code.
 */
public final class JsonRecords {

    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();
    private static final Gson GSON = COMPACT.newBuilder().setPrettyPrinting().create();

    private JsonRecords() { }

    /** Pretty-printed JSON of {@code record}, without a final newline; null components are left out. */
    public static String write(Object record) {
        return GSON.toJson(record);
    }

    /** JSON of {@code record} on one line without spaces (e.g. a safetensors header); null components are left out. */
    public static String writeCompact(Object record) {
        return COMPACT.toJson(record);
    }

    /**
     * Parses strict JSON text into {@code type}; the record's constructor validates the content.
     *
     * @throws IllegalArgumentException starting with the key at fault, or "not valid JSON" for a syntax error
     */
    public static <T> T read(String text, Class<T> type) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty input, expected a JSON object");
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new IllegalArgumentException("expected a JSON object at the top level, got "
                        + plain(reader.peek().name()));
            }
            T value;
            try {
                value = GSON.getAdapter(type).read(reader);
            } catch (MalformedJsonException e) {
                throw new IllegalArgumentException("not valid JSON (" + e.getMessage() + ")", e);
            } catch (IllegalStateException | JsonParseException | NumberFormatException e) {
                throw new IllegalArgumentException(key(reader.getPath()) + ": " + describe(e), e);
            } catch (IllegalArgumentException e) { // from a type adapter, naming the key
                throw e;
            } catch (RuntimeException e) { // Gson wraps what a record constructor throws
                if (e.getCause() instanceof IllegalArgumentException invalid) throw invalid;
                throw e;
            }
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("not valid JSON: unexpected content after the top-level value");
            }
            return value;
        } catch (MalformedJsonException | EOFException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON (" + e + ")", e);
        }
    }

    /** {@code value} itself, or an IllegalArgumentException "KEY: missing" for a record constructor. */
    public static <T> T required(T value, String key) {
        if (value == null) throw new IllegalArgumentException(key + ": missing");
        return value;
    }

    /** {@code $.files.x} -> {@code files.x}. */
    private static String key(String path) {
        String key = path.startsWith("$.") ? path.substring(2) : path;
        return key.endsWith(".") ? key.substring(0, key.length() - 1) : key; // a map value: Gson keeps no key name
    }

    /** Gson's "Expected BEGIN_ARRAY but was NUMBER at line 3 column 9 path $.x" as "expected a JSON array, got a number". */
    private static String describe(Exception e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause(); // Gson wraps the reader's exception
        String msg = String.valueOf(t.getMessage());
        if (msg.startsWith("For input string: ")) return "expected a number, got " + msg.substring(18);
        int at = msg.indexOf(" at line ");
        if (at >= 0) msg = msg.substring(0, at);
        return plain(msg.replace("Expected ", "expected ").replace(" but was ", ", got "));
    }

    /** Gson's token names in words. */
    private static String plain(String text) {
        return text.replace("BEGIN_ARRAY", "a JSON array").replace("BEGIN_OBJECT", "a JSON object")
                .replace("NUMBER", "a number").replace("STRING", "a string").replace("BOOLEAN", "true or false")
                .replace("NULL", "null");
    }
}
