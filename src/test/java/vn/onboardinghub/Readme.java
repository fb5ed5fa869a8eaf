package vn.onboardinghub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The README as a user reads it: tests take their examples from it, so an example that stops working fails a test. */
public final class Readme {
    private final String text;

    private Readme(String text) {
        this.text = text;
    }

    public static Readme read() {
        try {
            return new Readme(Files.readString(Path.of("README.md")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of the section under that heading line (e.g. {@code ### Sandbox triggers}), up to the next heading. */
    public String section(String heading) {
        int start = text.indexOf("\n" + heading + "\n");
        if (start < 0) {
            throw new AssertionError("README.md has no section " + heading);
        }
        start += heading.length() + 2;
        int end = text.indexOf("\n#", start);
        while (end >= 0 && inCodeBlock(start, end)) {
            end = text.indexOf("\n#", end + 1);
        }
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** The content of the n-th (0-based) fenced code block of a section, e.g. {@code json} or {@code bash}. */
    public String codeBlock(String heading, String language, int index) {
        String section = section(heading);
        int from = 0;
        for (int i = 0; ; i++) {
            int start = section.indexOf("```" + language + "\n", from);
            if (start < 0) {
                throw new AssertionError("README.md section " + heading + " has no " + (index + 1) + ". " + language + " block");
            }
            start += language.length() + 4;
            int end = section.indexOf("\n```", start);
            if (i == index) {
                return section.substring(start, end + 1);
            }
            from = end + 4;
        }
    }

    private boolean inCodeBlock(int from, int at) {
        int fences = 0;
        for (int i = text.indexOf("```", from); i >= 0 && i < at; i = text.indexOf("```", i + 3)) {
            fences++;
        }
        return fences % 2 == 1;
    }
}
