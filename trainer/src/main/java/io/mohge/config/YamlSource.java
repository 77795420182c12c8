package io.mohge.config;

import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one YAML parser of run configs: config files, override files and the {@code --set} arguments (turned into a
 * YAML document first) all go through {@link #parse}, so a value means the same wherever it is written.
 *
 * <p>A document must be a mapping of sections. An empty or comment-only document, a duplicate key and a duplicate
 * section are errors naming the source, the line and the key.
 */
final class YamlSource {

    private YamlSource() { }

    /**
     * Parses {@code text}; {@code what} starts every message (e.g. "Config file configs/x.yaml").
     */
    static YAMLConfiguration parse(String text, String what) {
        Node top;
        try {
            top = new Yaml().compose(new StringReader(text));
        } catch (YAMLException e) {
            throw syntax(what, e);
        }
        if (top == null || top instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
            throw new ConfigException(what + " is empty (no sections, only blank lines or comments); give at least "
                    + "one section such as trainer:, or leave the file out");
        }
        if (!(top instanceof MappingNode)) {
            throw new ConfigException(what + " must hold a mapping of sections (run:, model:, losses:, ...), but its "
                    + "top level is a " + (top instanceof SequenceNode ? "list" : "single value"));
        }
        rejectDuplicates(top, "", what);
        YAMLConfiguration yaml = new YAMLConfiguration();
        try {
            new FileHandler(yaml).load(new StringReader(text));
        } catch (ConfigurationException e) {
            throw syntax(what, e.getCause() != null ? e.getCause() : e);
        }
        return yaml;
    }

    /**
     * {@code --set key=value} arguments as one YAML document: each value is read as YAML ({@code [1,2]} is a list,
     * {@code 3} a number), dotted keys become nested sections, a later argument for the same key wins.
     */
    static String fromSets(List<String> sets) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects key=value (e.g. --set model.mohge.top_k=2), got '" + set + "'");
            }
            String key = set.substring(0, eq).trim();
            String raw = set.substring(eq + 1).trim();
            Object value;
            try {
                value = raw.isEmpty() ? "" : new Yaml().load(raw);
            } catch (YAMLException e) {
                throw new ConfigException("--set " + key + ": cannot parse value '" + raw
                        + "'; use a number, a word, or a list like [1,2,3]");
            }
            if (value instanceof Map) {
                throw new ConfigException("--set " + key + ": set leaf keys one by one (e.g. --set "
                        + key + ".<key>=value), not a whole mapping");
            }
            put(root, key, value == null ? "" : value);
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(root);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String key, Object value) {
        String[] parts = key.split("\\.", -1);
        Map<String, Object> section = root;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isBlank()) {
                throw new ConfigException("--set " + key + ": empty key name; write dotted keys such as trainer.steps");
            }
            if (i == parts.length - 1) {
                section.put(parts[i], value);
                return;
            }
            Object next = section.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            if (!(next instanceof Map)) {
                throw new ConfigException("--set " + key + ": " + String.join(".", List.of(parts).subList(0, i + 1))
                        + " is also set to the single value '" + next + "' by another --set; set keys below it only");
            }
            section = (Map<String, Object>) next;
        }
    }

    private static void rejectDuplicates(Node node, String path, String what) {
        if (node instanceof SequenceNode list) {
            for (Node item : list.getValue()) rejectDuplicates(item, path, what);
            return;
        }
        if (!(node instanceof MappingNode mapping)) return;
        Map<String, Integer> firstLine = new HashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) continue;
            String key = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
            int line = k.getStartMark().getLine() + 1;
            Integer first = firstLine.putIfAbsent(k.getValue(), line);
            if (first != null) {
                boolean section = t.getValueNode() instanceof MappingNode;
                throw new ConfigException(what + ", line " + line + ": duplicate " + (section ? "section " : "key ")
                        + key + " (first on line " + first + "); "
                        + (section ? "merge the two sections into one" : "keep one of them"));
            }
            rejectDuplicates(t.getValueNode(), key, what);
        }
    }

    private static ConfigException syntax(String what, Throwable e) {
        return new ConfigException(what + " is not valid YAML: " + String.valueOf(e.getMessage()).replace('\n', ' ').trim()
                + ". Fix the syntax near the position given.", e);
    }
}
