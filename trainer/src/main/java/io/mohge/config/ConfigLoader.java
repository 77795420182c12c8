package io.mohge.config;

import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.CombinedConfiguration;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.tree.OverrideCombiner;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads a {@link RunConfig}: base YAML, then override YAMLs (later ones win), then {@code --set key=value}
 * (highest priority), combined with Commons Configuration's {@link OverrideCombiner}. Omitted keys take the
 * {@code DEFAULTS} of their record. Lists are replaced whole, never merged.
 *
 * <p>Keys map onto record components by their snake_case names; sections map onto nested records. Every
 * error is a {@link ConfigException} naming the key, the source that set it, and what would be accepted.
 */
public final class ConfigLoader {

    private static final String SET_SOURCE = "--set";
    private static final String DEFAULT_SOURCE = "defaults";

    /** One source of keys with the label used in messages (a file path or --set). */
    private record Source(String label, Configuration config) { }

    private final List<Source> sourcesByPriority; // highest priority first
    private final CombinedConfiguration combined;

    private ConfigLoader(List<Source> sourcesByPriority) {
        this.sourcesByPriority = sourcesByPriority;
        this.combined = new CombinedConfiguration(new OverrideCombiner());
        for (Source s : sourcesByPriority) {
            combined.addConfiguration(s.config(), s.label());
        }
    }

    /** Loads base + overrides + sets into a validated run config. */
    public static RunConfig load(Path base, List<Path> overrides, List<String> sets) {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source(SET_SOURCE, parseSets(sets)));
        for (int i = overrides.size() - 1; i >= 0; i--) {
            sources.add(readYaml(overrides.get(i)));
        }
        if (base != null) {
            sources.add(readYaml(base));
        }
        return new ConfigLoader(sources).bindRun();
    }

    /** Loads a single YAML file with no overrides. */
    public static RunConfig load(Path file) {
        return load(file, List.of(), List.of());
    }

    private RunConfig bindRun() {
        rejectUnknownKeys(RunConfig.class);
        return bind(RunConfig.class, "", null);
    }

    // ---------------------------------------------------------------- reading sources

    private static Source readYaml(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("Config file " + file + " not found"
                    + (file.isAbsolute() ? "" : " (working directory " + Path.of("").toAbsolutePath() + ")")
                    + ". Pass an existing YAML, e.g. --config configs/mohge-tiny.yaml");
        }
        try {
            return parseYaml(Files.readString(file, StandardCharsets.UTF_8), "Config file " + file, file.toString());
        } catch (IOException e) {
            throw new ConfigException("Config file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Source parseYaml(String text, String what, String label) {
        return new Source(label, YamlSource.parse(text, what));
    }

    /** Parses a resolved config held in memory (e.g. shipped to Spark executors); {@code label} names it in errors. */
    public static RunConfig fromYaml(String text, String label) {
        return new ConfigLoader(List.of(parseYaml(text, label, label))).bindRun();
    }

    /** The --set arguments, parsed by the same YAML parser as the files. */
    private static Configuration parseSets(List<String> sets) {
        return sets.isEmpty() ? new BaseConfiguration() : YamlSource.parse(YamlSource.fromSets(sets), SET_SOURCE);
    }

    // ---------------------------------------------------------------- unknown keys

    private void rejectUnknownKeys(Class<?> rootType) {
        for (Iterator<String> it = combined.getKeys(); it.hasNext(); ) {
            checkKey(rootType, it.next());
        }
    }

    private void checkKey(Class<?> rootType, String key) {
        Class<?> type = rootType;
        String[] parts = key.split("\\.");
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            RecordComponent component = componentFor(type, part);
            String section = path.toString();
            if (component == null) {
                throw new ConfigException("Unknown key " + key + " (in " + sourceOf(key) + "). "
                        + suggestion(type, part)
                        + "Allowed keys " + (section.isEmpty() ? "at top level" : "under " + section) + ": "
                        + allowedKeys(type));
            }
            path.append(path.length() == 0 ? "" : ".").append(part);
            boolean last = i == parts.length - 1;
            if (component.getType().isRecord()) {
                if (last) {
                    throw new ConfigException(path + " is a section (in " + sourceOf(key)
                            + "); give it keys (" + allowedKeys(component.getType()) + "), not the value '"
                            + combined.getProperty(key) + "'");
                }
                type = component.getType();
            } else if (!last) {
                throw new ConfigException("Unknown key " + key + " (in " + sourceOf(key) + "): " + path
                        + " is a single value, not a section");
            }
        }
    }

    private static String suggestion(Class<?> type, String part) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (RecordComponent c : type.getRecordComponents()) {
            String name = snake(c.getName());
            int d = distance.apply(name, part);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        return best != null && bestDistance <= 3 ? "Did you mean " + best + "? " : "";
    }

    private static String allowedKeys(Class<?> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> snake(c.getName()))
                .collect(Collectors.joining(", "));
    }

    private static RecordComponent componentFor(Class<?> type, String snakeName) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (snake(c.getName()).equals(snakeName)) return c;
        }
        return null;
    }

    private String sourceOf(String key) {
        for (Source s : sourcesByPriority) {
            if (s.config().containsKey(key)) return s.label();
        }
        // a section: the first source holding any key below it
        for (Source s : sourcesByPriority) {
            if (!s.config().subset(key).isEmpty()) return s.label();
        }
        return DEFAULT_SOURCE;
    }

    // ---------------------------------------------------------------- binding

    private <R> R bind(Class<R> type, String prefix, Object defaults) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            String key = prefix + snake(c.getName());
            Object defaultValue = defaults == null ? null : accessor(c, defaults);
            if (c.getType().isRecord()) {
                Object nestedDefaults = defaultValue != null ? defaultValue : staticDefaults(c.getType());
                values[i] = bind(c.getType(), key + ".", nestedDefaults);
            } else if (combined.containsKey(key)) {
                values[i] = convert(key, combined.getProperty(key), c.getType(), c.getGenericType());
            } else {
                values[i] = defaultValue;
            }
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw invalid(prefix, type, iae.getMessage());
            }
            throw new IllegalStateException("constructing " + type.getSimpleName(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("config record " + type.getName() + " cannot be constructed", e);
        }
    }

    private ConfigException invalid(String prefix, Class<?> type, String message) {
        int colon = message.indexOf(':');
        String head = colon > 0 ? message.substring(0, colon) : "";
        String rest = colon > 0 ? message.substring(colon + 1).trim() : message;
        String key;
        if (!head.isEmpty() && componentFor(type, head) != null) {
            key = prefix + head;
        } else if (head.contains(".") && !head.contains(" ")) {
            key = head; // cross-section checks name the full key
        } else {
            return new ConfigException("Invalid " + (prefix.isEmpty() ? "config" : "section "
                    + prefix.substring(0, prefix.length() - 1)) + ": " + message);
        }
        Object value = combined.containsKey(key) ? combined.getProperty(key) : null;
        String where = value == null ? DEFAULT_SOURCE : sourceOf(key);
        return new ConfigException("Invalid " + key + " (from " + where + "): " + rest);
    }

    private Object convert(String key, Object raw, Class<?> type, Type generic) {
        try {
            if (type == int.class || type == Integer.class) return (int) toLong(raw, Integer.MIN_VALUE, Integer.MAX_VALUE);
            if (type == long.class || type == Long.class) return toLong(raw, Long.MIN_VALUE, Long.MAX_VALUE);
            if (type == double.class || type == Double.class) return toDouble(raw);
            if (type == boolean.class || type == Boolean.class) return toBoolean(raw);
            if (type == String.class) {
                if (raw instanceof List || raw instanceof Map) throw new IllegalArgumentException("a single text value");
                return String.valueOf(raw);
            }
            if (type.isEnum()) return toEnum(raw, type);
            if (type == List.class) {
                Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
                List<?> items = raw instanceof List<?> l ? l : List.of(raw);
                List<Object> out = new ArrayList<>();
                for (Object item : items) {
                    out.add(convert(key, item, (Class<?>) element, element));
                }
                return List.copyOf(out);
            }
        } catch (ConfigException e) { // a list element's own message, already naming the key
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid " + key + " (from " + sourceOf(key) + "): expected "
                    + e.getMessage() + ", got " + show(raw));
        }
        throw new IllegalStateException("config type " + type + " of " + key + " is not supported by ConfigLoader");
    }

    private static long toLong(Object raw, long min, long max) {
        double d;
        if (raw instanceof Number n) {
            d = n.doubleValue();
            if (raw instanceof Long || raw instanceof Integer) {
                long v = n.longValue();
                if (v < min || v > max) throw new IllegalArgumentException("a whole number in " + min + ".." + max);
                return v;
            }
        } else if (raw instanceof String s) {
            try {
                d = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a whole number");
            }
        } else {
            throw new IllegalArgumentException("a whole number");
        }
        if (d != Math.rint(d) || d < min || d > max) throw new IllegalArgumentException("a whole number");
        return (long) d;
    }

    private static double toDouble(Object raw) {
        double d;
        if (raw instanceof Number n) {
            d = n.doubleValue();
        } else if (raw instanceof String s) {
            try {
                d = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a number (e.g. 3.0e-4)");
            }
        } else {
            throw new IllegalArgumentException("a number (e.g. 3.0e-4)");
        }
        if (!Double.isFinite(d)) throw new IllegalArgumentException("a finite number (e.g. 3.0e-4)");
        return d;
    }

    private static boolean toBoolean(Object raw) {
        if (raw instanceof Boolean b) return b;
        if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("true or false");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object toEnum(Object raw, Class<?> type) {
        Object[] constants = type.getEnumConstants();
        String allowed = Arrays.stream(constants).map(c -> enumName((Enum<?>) c)).collect(Collectors.joining(", "));
        if (raw instanceof String s) {
            String wanted = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Object c : constants) {
                if (((Enum) c).name().equals(wanted)) return c;
            }
        }
        throw new IllegalArgumentException("one of " + allowed);
    }

    // ---------------------------------------------------------------- helpers

    private static Object accessor(RecordComponent c, Object instance) {
        try {
            return c.getAccessor().invoke(instance);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object staticDefaults(Class<?> type) {
        try {
            return type.getField("DEFAULTS").get(null);
        } catch (NoSuchFieldException e) {
            return null; // a record without defaults: every key is required
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** camelCase record component name to the snake_case YAML key: dModel -> d_model, topK -> top_k. */
    static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) sb.append('_').append(Character.toLowerCase(ch));
            else sb.append(ch);
        }
        return sb.toString();
    }

    static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String show(Object raw) {
        return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
    }

    // ---------------------------------------------------------------- writing

    /** The resolved config as YAML, loadable again with {@link #load(Path)}. */
    public static String toYaml(Record config) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        return new Yaml(options).dump(toMap(config));
    }

    private static Map<String, Object> toMap(Record record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object v = accessor(c, record);
            map.put(snake(c.getName()), plain(v));
        }
        return map;
    }

    private static Object plain(Object v) {
        if (v instanceof Record r) return toMap(r);
        if (v instanceof Enum<?> e) return enumName(e);
        if (v instanceof List<?> l) return l.stream().map(ConfigLoader::plain).collect(Collectors.toList());
        return v;
    }
}
