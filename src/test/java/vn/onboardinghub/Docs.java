package vn.onboardinghub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README and the files of {@code docs/} as a user reads them: tests take their examples from them, so an example
 * that stops working fails a test.
 */
public final class Docs {
    private final String file;
    private final String text;

    private Docs(String file, String text) {
        this.file = file;
        this.text = text;
    }

    /** {@code README.md}. */
    public static Docs readme() {
        return read("README.md");
    }

    /** A documentation file by its path in the repository, e.g. {@code docs/contract.md}. */
    public static Docs read(String file) {
        try {
            return new Docs(file, Files.readString(Path.of(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of the section under that heading line (e.g. {@code ### Sandbox triggers}), up to the next heading. */
    public String section(String heading) {
        int start;
        if (text.startsWith(heading + "\n")) {
            start = heading.length() + 1;
        } else {
            int at = text.indexOf("\n" + heading + "\n");
            if (at < 0) {
                throw new AssertionError(file + " has no section " + heading);
            }
            start = at + heading.length() + 2;
        }
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
                throw new AssertionError(file + " section " + heading + " has no " + (index + 1) + ". " + language + " block");
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
