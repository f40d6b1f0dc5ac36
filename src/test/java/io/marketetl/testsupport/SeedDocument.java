package io.marketetl.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed document (shared/seed/postgresql-database-setup.md, copied to test resources): its SQL and Python code
 * blocks, so tests check the schema and queries against the document itself rather than a retyped copy.
 */
public final class SeedDocument {

    public static final String RESOURCE = "/seed/postgresql-database-setup.md";
    private static final Pattern HEADING = Pattern.compile("^(#+) (.*)$");
    private static final Pattern CODE_BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

    private SeedDocument() {
    }

    public static String text() {
        try (InputStream in = SeedDocument.class.getResourceAsStream(RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The text of the document's section with this heading, up to the next heading of the same or higher level
     * (lines inside code fences are not headings: a Python comment starts with '#' too).
     */
    public static String section(String heading) {
        String[] lines = text().split("\\n", -1);
        StringBuilder out = new StringBuilder();
        int level = 0;
        boolean inFence = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inFence = !inFence;
            }
            Matcher h = inFence ? null : HEADING.matcher(line);
            if (h != null && h.matches()) {
                int l = h.group(1).length();
                if (level == 0 && h.group(2).strip().equals(heading)) {
                    level = l;
                    continue;
                }
                if (level > 0 && l <= level) {
                    break;
                }
            }
            if (level > 0) {
                out.append(line).append('\n');
            }
        }
        if (level == 0) {
            throw new IllegalArgumentException("no section " + heading);
        }
        return out.toString();
    }

    /** SQL statements of the ```sql blocks in the given text, comments removed, without trailing semicolons. */
    public static List<String> sqlStatements(String text) {
        List<String> out = new ArrayList<>();
        for (String block : codeBlocks(text, "sql")) {
            StringBuilder clean = new StringBuilder();
            for (String line : block.split("\\n")) {
                String l = line.replaceFirst("--.*$", "");
                if (!l.isBlank()) {
                    clean.append(l.strip()).append(' ');
                }
            }
            for (String stmt : clean.toString().split(";")) {
                if (!stmt.isBlank()) {
                    out.add(stmt.strip().replaceAll("\\s+", " "));
                }
            }
        }
        return out;
    }

    /** The SQL strings inside the triple-quoted strings of ```python blocks (the asyncpg examples). */
    public static List<String> pythonSql(String text) {
        List<String> out = new ArrayList<>();
        Pattern triple = Pattern.compile("\"\"\"(.*?)\"\"\"", Pattern.DOTALL);
        for (String block : codeBlocks(text, "python")) {
            Matcher m = triple.matcher(block);
            while (m.find()) {
                out.add(m.group(1).strip().replaceAll("\\s+", " "));
            }
        }
        return out;
    }

    /** CREATE TABLE and CREATE INDEX statements of the whole document, in document order. */
    public static List<String> schemaStatements() {
        return sqlStatements(text()).stream()
                .filter(s -> s.startsWith("CREATE TABLE") || s.startsWith("CREATE INDEX"))
                .toList();
    }

    private static List<String> codeBlocks(String text, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE_BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(language)) {
                out.add(m.group(2));
            }
        }
        return out;
    }
}
