package io.marketetl.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queries of the seed document's "Querying Data", "Common Queries" and "Index Usage" sections, read from the
 * document itself (test resource seed/postgresql-database-setup.md, a copy of shared/seed/), not retyped.
 */
final class SeedQueries {

    record Query(String section, String sql) {
    }

    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TRIPLE_QUOTED = Pattern.compile("\"\"\"(.*?)\"\"\"", Pattern.DOTALL);

    private SeedQueries() {
    }

    static List<Query> all() {
        List<Query> out = new ArrayList<>();
        for (String section : List.of("Querying Data", "Common Queries", "Index Usage")) {
            String text = section(section);
            Matcher block = FENCE.matcher(text);
            while (block.find()) {
                String lang = block.group(1);
                String code = block.group(2);
                if (lang.equals("python")) {
                    Matcher q = TRIPLE_QUOTED.matcher(code);
                    while (q.find()) {
                        out.add(new Query(section, normalise(q.group(1))));
                    }
                } else if (lang.equals("sql")) {
                    StringBuilder clean = new StringBuilder();
                    for (String line : code.split("\\n")) {
                        String l = line.replaceFirst("--.*$", "");
                        if (!l.isBlank()) {
                            clean.append(l).append('\n');
                        }
                    }
                    for (String stmt : clean.toString().split(";")) {
                        if (!stmt.isBlank()) {
                            out.add(new Query(section, normalise(stmt)));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String normalise(String sql) {
        return sql.strip().replaceAll("\\s+", " ");
    }

    private static String section(String heading) {
        String text;
        try (InputStream in = SeedQueries.class.getResourceAsStream("/seed/postgresql-database-setup.md")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] lines = text.split("\\n", -1);
        StringBuilder out = new StringBuilder();
        boolean in = false;
        boolean fence = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                fence = !fence;
            }
            if (!fence && line.startsWith("#")) {
                if (in) {
                    break;
                }
                in = line.replaceFirst("^#+", "").strip().equals(heading);
                continue;
            }
            if (in) {
                out.append(line).append('\n');
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no section " + heading);
        }
        return out.toString();
    }
}
