package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A generated section of a Markdown file, between {@code <!-- name:begin -->} and {@code <!-- name:end -->}. */
final class DocSection {
    private DocSection() {
    }

    /** Replaces the text between the markers (appending them at the end if absent); nothing else changes. */
    static void write(Path file, String name, String markdown) throws IOException {
        String begin = "<!-- " + name + ":begin -->";
        String end = "<!-- " + name + ":end -->";
        String section = begin + "\n" + markdown + (markdown.endsWith("\n") ? "" : "\n") + end;
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + section + text.substring(e + end.length());
        } else {
            text = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n") + section + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
