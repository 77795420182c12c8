package io.mohge.config;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Config reference" must document exactly the keys the config records accept: every key of every
 * section (read from the records through {@link ConfigLoader#toYaml}) appears in its section, and every key the
 * reference documents exists. A new or renamed record component fails this test until the README says so.
 */
class ConfigReferenceTest {

    private static final Pattern SECTION = Pattern.compile("^\\*\\*`([a-z_]+)`\\*\\*", Pattern.MULTILINE);
    /** A documented key: `key` opening a bullet or after ", ", followed by " (" (its default) or ":" (its description). */
    private static final Pattern KEY = Pattern.compile("(?<=^- |, )`([a-z0-9_]+(?:\\.[a-z0-9_]+)*)`(?= \\(|:)", Pattern.MULTILINE);

    @Test
    void theReadmeDocumentsExactlyTheConfigKeys() throws IOException {
        RunConfig cfg = ConfigLoader.load(Path.of("../configs/mohge-tiny.yaml"), List.of(), List.of());
        Map<String, Object> yaml = new Yaml().load(ConfigLoader.toYaml(cfg));
        Map<String, TreeSet<String>> keys = new LinkedHashMap<>();
        yaml.forEach((section, value) -> keys.put(section, leaves("", value)));

        Map<String, TreeSet<String>> documented = documented();
        List<String> problems = new ArrayList<>();
        keys.forEach((section, leaves) -> {
            TreeSet<String> doc = documented.getOrDefault(section, new TreeSet<>());
            if (!documented.containsKey(section)) problems.add("section `" + section + "` is not in the reference");
            for (String k : leaves) if (!doc.contains(k)) problems.add(section + "." + k + " is not documented");
            for (String k : doc) if (!leaves.contains(k)) problems.add(section + "." + k + " is documented but no such key exists");
        });
        documented.keySet().stream().filter(s -> !keys.containsKey(s))
                .forEach(s -> problems.add("README documents a section `" + s + "` that the config does not have"));
        assertEquals(List.of(), problems, "README.md Config reference and the config records disagree");
    }

    /** Dotted leaf keys below a section, e.g. "mohge.widths"; lists are leaves. */
    private static TreeSet<String> leaves(String prefix, Object value) {
        TreeSet<String> out = new TreeSet<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.addAll(leaves(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v)));
        } else {
            out.add(prefix);
        }
        return out;
    }

    /** Section name -> keys documented between its bold heading and the next one. */
    private static Map<String, TreeSet<String>> documented() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("### Config reference");
        assertTrue(start >= 0, "README.md has no '### Config reference'");
        int end = readme.indexOf("\n## ", start);
        String ref = readme.substring(start, end < 0 ? readme.length() : end);
        Map<String, TreeSet<String>> out = new LinkedHashMap<>();
        Matcher s = SECTION.matcher(ref);
        List<int[]> spans = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (s.find()) {
            names.add(s.group(1));
            spans.add(new int[]{s.end(), 0});
        }
        for (int i = 0; i < spans.size(); i++) {
            int to = i + 1 < spans.size() ? spans.get(i + 1)[0] : ref.length();
            TreeSet<String> keys = new TreeSet<>();
            Matcher k = KEY.matcher(ref.substring(spans.get(i)[0], to));
            while (k.find()) keys.add(k.group(1));
            out.put(names.get(i), keys);
        }
        return out;
    }
}
