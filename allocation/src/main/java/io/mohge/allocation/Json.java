package io.mohge.allocation;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/** Strict JSON reading helpers shared by {@link PlacementJson} and {@link LoadStats}; errors name the key. */
final class Json {

    private static final Gson GSON = new Gson();

    private Json() { }

    /** Parses strict JSON (no comments, unquoted names or trailing content). */
    static JsonElement parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty input, expected a JSON object");
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("not valid JSON: unexpected content after the top-level value");
            }
            return root;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    static JsonObject object(JsonElement root) {
        if (root == null || !root.isJsonObject()) {
            throw new IllegalArgumentException("expected a JSON object at the top level, got " + describe(root));
        }
        return root.getAsJsonObject();
    }

    static JsonElement required(JsonObject obj, String key) {
        JsonElement value = obj.get(key);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException(key + ": missing (keys present: " + obj.keySet() + ")");
        }
        return value;
    }

    static JsonArray array(JsonElement value, String what) {
        if (!value.isJsonArray()) throw new IllegalArgumentException(what + ": expected a JSON array, got " + describe(value));
        return value.getAsJsonArray();
    }

    static String string(JsonElement value, String what) {
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(what + ": expected a string, got " + describe(value));
        }
        return value.getAsString();
    }

    static long integer(JsonElement value, String what) {
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(what + ": expected an integer, got " + describe(value));
        }
        try {
            return new BigDecimal(value.getAsString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(what + ": expected an integer, got " + value.getAsString());
        }
    }

    static int intValue(JsonElement value, String what) {
        long v = integer(value, what);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": " + v + " is out of the int range");
        }
        return (int) v;
    }

    static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) return "null";
        String s = e.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
