package io.mohge.generate;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of token bytes into text as it arrives: a multi-byte character split across tokens is held back
 * until its last byte comes; invalid bytes become U+FFFD.
 */
final class Utf8Stream {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] pending = new byte[0];

    /** The text that {@code bytes} complete. */
    String push(byte[] bytes) {
        return decode(bytes, false);
    }

    /** The rest, at the end of the stream (an unfinished character becomes U+FFFD). */
    String finish() {
        return decode(new byte[0], true);
    }

    private String decode(byte[] bytes, boolean end) {
        ByteBuffer in = ByteBuffer.allocate(pending.length + bytes.length).put(pending).put(bytes).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 2);
        decoder.decode(in, out, end);
        if (end) decoder.flush(out);
        pending = new byte[in.remaining()];
        in.get(pending);
        return out.flip().toString();
    }
}
