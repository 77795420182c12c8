package io.mohge.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * SameDiff 1.0.0-M2.1 prints one "Added differentiated op ..." line per op to System.out whenever it builds a
 * gradient graph (not through a logger, so Log4j cannot silence it). This stream drops those lines, sending them to
 * DEBUG instead, and passes every other line through unchanged.
 */
final class SameDiffNoiseFilter extends OutputStream {

    private static final Logger LOG = LoggerFactory.getLogger("org.nd4j.autodiff.samediff.SameDiff");
    private static final String NOISE = "Added differentiated op ";

    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private SameDiffNoiseFilter(PrintStream target) {
        this.target = target;
    }

    /** Replaces System.out by a filtered stream (idempotent). */
    static void install() {
        if (!(System.out instanceof Filtered)) {
            System.setOut(new Filtered(new SameDiffNoiseFilter(System.out)));
        }
    }

    private static final class Filtered extends PrintStream {
        Filtered(SameDiffNoiseFilter filter) {
            super(filter, true, StandardCharsets.UTF_8);
        }
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') flushLine();
    }

    @Override
    public synchronized void flush() {
        // a partial line (e.g. a prompt) cannot be noise: pass it on now
        if (line.size() > 0 && !startsWithNoise()) flushLine();
        target.flush();
    }

    private boolean startsWithNoise() {
        String start = line.toString(StandardCharsets.UTF_8);
        return NOISE.startsWith(start) || start.startsWith(NOISE);
    }

    private void flushLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.startsWith(NOISE)) {
            LOG.debug(text.strip());
        } else {
            target.print(text);
        }
    }
}
