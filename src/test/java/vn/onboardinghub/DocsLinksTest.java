package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and {@code docs/} hold together: every relative link leads to a file of the repository that exists, every
 * {@code #anchor} to a heading of its file (as GitHub names headings), the README leads to every file of {@code docs/},
 * and no file names a path outside the repository.
 */
class DocsLinksTest {
    static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    static final Pattern HEADING = Pattern.compile("^(#{1,6}) +(.+?) *#*$");
    static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    static final Pattern PARENT = Pattern.compile("(?<![.\\w])\\.\\./");

    @Test
    void everyRelativeLinkAndAnchorLeadsToAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : documentationFiles()) {
            for (String target : links(Files.readString(file))) {
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                checked++;
                String problem = problem(file, target);
                if (problem != null) {
                    broken.add(ROOT.relativize(file) + ": (" + target + ") " + problem);
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
        assertThat(checked).as("relative links checked").isGreaterThan(20);
    }

    @Test
    void theReadmeLeadsToEveryFileOfDocs() throws IOException {
        Set<String> linked = new HashSet<>();
        for (String target : links(Files.readString(ROOT.resolve("README.md")))) {
            linked.add(target.replaceFirst("#.*", ""));
        }
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            assertThat(docs.filter(p -> p.toString().endsWith(".md")).map(p -> "docs/" + p.getFileName()).toList())
                    .isNotEmpty()
                    .allSatisfy(doc -> assertThat(linked).as("README links").contains(doc));
        }
    }

    @Test
    void noFileNamesAPathOutsideTheRepository() throws IOException {
        List<String> outside = new ArrayList<>();
        for (Path file : documentationFiles()) {
            String text = Files.readString(file);
            // a relative link may climb to a folder of the repository (the first test resolves it), nothing else may
            Matcher link = LINK.matcher(text);
            String withoutLinks = link.replaceAll(m -> Matcher.quoteReplacement("[" + m.group(1) + "]"));
            String[] lines = withoutLinks.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (PARENT.matcher(lines[i]).find()) {
                    outside.add(ROOT.relativize(file) + ": " + lines[i].strip());
                }
            }
        }
        assertThat(outside).as("paths outside the repository").isEmpty();
    }

    @Test
    void anchorsAreNamedAsGitHubNamesHeadings() {
        assertThat(slugs("# The contract\n## Rotating `hub.crypto.key`\n## Faults: what each caller sees\n"
                + "```bash\n# not a heading\n```\n## File drop (batches)\n## File drop (batches)\n"))
                .containsExactlyInAnyOrder("the-contract", "rotating-hubcryptokey", "faults-what-each-caller-sees",
                        "file-drop-batches", "file-drop-batches-1");
        assertThat(links("see [a](docs/a.md#b) and `[c](d.md)` and\n```\n[e](f.md)\n```\n[g](#h)"))
                .containsExactly("docs/a.md#b", "#h");
    }

    /** Why the link does not lead anywhere, or null when it does. */
    static String problem(Path file, String target) throws IOException {
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!resolved.startsWith(ROOT)) {
            return "leads outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor != null) {
            if (!resolved.toString().endsWith(".md")) {
                return "an anchor into a file that is not Markdown";
            }
            if (!slugs(Files.readString(resolved)).contains(anchor)) {
                return "no heading #" + anchor + " in " + ROOT.relativize(resolved);
            }
        }
        return null;
    }

    static List<Path> documentationFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    /** The targets of the Markdown links of a text, outside code blocks and code spans. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        for (String line : prose(markdown)) {
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "code"));
            while (m.find()) {
                targets.add(m.group(2));
            }
        }
        return targets;
    }

    /** The anchors of a Markdown text's headings, as GitHub makes them (duplicates numbered -1, -2, …). */
    static Set<String> slugs(String markdown) {
        Set<String> slugs = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(markdown)) {
            Matcher m = HEADING.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String text = m.group(2).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
            String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            slugs.add(n == 0 ? slug : slug + "-" + n);
        }
        return slugs;
    }

    /** The lines of a Markdown text outside fenced code blocks. */
    static List<String> prose(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                lines.add(line);
            }
        }
        return lines;
    }
}
