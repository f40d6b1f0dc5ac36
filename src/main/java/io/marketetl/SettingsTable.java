package io.marketetl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The list of settings a user can change, read from application.properties: every {@code key={{env:NAME:default}}}
 * line with the comment just above it as its description. Feeds {@code --help} and is checked against the README.
 */
public record SettingsTable(List<Setting> settings) {

    public record Setting(String key, String envVar, String defaultValue, String description) {
    }

    private static final Pattern ENV_SETTING = Pattern.compile("^([\\w.\\-]+)\\s*=\\s*\\{\\{env:([A-Z0-9_]+):?(.*)}}\\s*$");

    public static SettingsTable fromProperties(String text) {
        List<Setting> out = new ArrayList<>();
        String lastComment = "";
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                lastComment = line.replaceFirst("^#+", "").strip();
                continue;
            }
            Matcher m = ENV_SETTING.matcher(line);
            if (m.matches()) {
                out.add(new Setting(m.group(1), m.group(2), m.group(3), lastComment));
            }
            lastComment = "";
        }
        return new SettingsTable(List.copyOf(out));
    }

    public String toText() {
        int envWidth = settings.stream().mapToInt(s -> s.envVar().length()).max().orElse(10);
        int defWidth = Math.min(30, settings.stream().mapToInt(s -> display(s.defaultValue()).length()).max().orElse(7));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("  %-" + envWidth + "s  %-" + defWidth + "s  %s%n", "ENVIRONMENT", "DEFAULT", "MEANING"));
        for (Setting s : settings) {
            sb.append(String.format("  %-" + envWidth + "s  %-" + defWidth + "s  %s%n", s.envVar(),
                    display(s.defaultValue()), s.description()));
        }
        return sb.toString();
    }

    /** The README's configuration table (Markdown). */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| Environment variable | Default | Meaning |\n|---|---|---|\n");
        for (Setting s : settings) {
            sb.append("| `").append(s.envVar()).append("` | ")
                    .append(s.defaultValue().isEmpty() ? "(empty)" : "`" + s.defaultValue() + "`").append(" | ")
                    .append(s.description().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    static final String README_BEGIN = "<!-- settings:begin (generated from application.properties) -->";
    static final String README_END = "<!-- settings:end -->";

    /** The README with its settings table replaced by the current one. */
    public static String withTableIn(String readme, SettingsTable table) {
        int begin = readme.indexOf(README_BEGIN);
        int end = readme.indexOf(README_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("README has no settings markers");
        }
        return readme.substring(0, begin + README_BEGIN.length()) + "\n" + table.toMarkdown()
                + readme.substring(end);
    }

    /** Regenerates the README's settings table: {@code java -cp target/classes io.marketetl.SettingsTable}. */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Path readme = java.nio.file.Path.of(args.length > 0 ? args[0] : "README.md");
        SettingsTable table = fromProperties(java.nio.file.Files.readString(java.nio.file.Path.of("application.properties")));
        java.nio.file.Files.writeString(readme, withTableIn(java.nio.file.Files.readString(readme), table));
    }

    private static String display(String defaultValue) {
        return defaultValue.isEmpty() ? "(empty)" : defaultValue;
    }
}
