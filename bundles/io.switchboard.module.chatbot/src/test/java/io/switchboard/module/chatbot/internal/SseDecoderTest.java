package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.switchboard.module.chatbot.internal.ChatCompletions.ChatFailed;
import io.switchboard.module.chatbot.internal.ChatCompletions.SseDecoder;

class SseDecoderTest {

    private final List<String> events = new ArrayList<>();
    private final SseDecoder decoder = new SseDecoder(events::add);

    private void feed(String text) {
        feed(text.getBytes(StandardCharsets.UTF_8));
    }

    private void feed(byte[] bytes) {
        decoder.feed(ByteBuffer.wrap(bytes));
    }

    @Test
    void readsEventsSeparatedByBlankLines() {
        feed("data: {\"a\":1}\n\ndata: [DONE]\n\n");

        assertThat(events).containsExactly("{\"a\":1}", "[DONE]");
    }

    @Test
    void joinsTheDataLinesOfOneEventAndSkipsTheRest() {
        feed(": keep-alive\nevent: message\nid: 7\nretry: 100\ndata: line 1\ndata:line 2\ndata\n\n");

        assertThat(events).containsExactly("line 1\nline 2\n");
    }

    @Test
    void acceptsEveryLineEnding() {
        feed("data: crlf\r\n\r\ndata: cr\r\rdata: lf\n\n");

        assertThat(events).containsExactly("crlf", "cr", "lf");
    }

    @Test
    void chunksMaySplitLinesLineEndingsAndCharacters() {
        byte[] all = "data: Grüße 😀\r\n\r\ndata: zwei\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < all.length; split++) {
            events.clear();
            SseDecoder fresh = new SseDecoder(events::add);
            fresh.feed(ByteBuffer.wrap(Arrays.copyOfRange(all, 0, split)));
            fresh.feed(ByteBuffer.wrap(Arrays.copyOfRange(all, split, all.length)));

            assertThat(events).as("split at " + split).containsExactly("Grüße 😀", "zwei");
        }
    }

    @Test
    void byteByByte() {
        for (byte b : "data: a\n\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)) {
            feed(new byte[] {b});
        }

        assertThat(events).containsExactly("a", "b");
    }

    @Test
    void finishDeliversALastEventWithoutItsBlankLine() {
        feed("data: last");
        assertThat(events).isEmpty();

        decoder.finish();

        assertThat(events).containsExactly("last");
    }

    @Test
    void refusesEndlessLines() {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');

        assertThatThrownBy(() -> {
            for (int i = 0; i < 17; i++) {
                feed(chunk);
            }
        }).isInstanceOf(ChatFailed.class).hasMessageContaining("longer than");
    }
}
