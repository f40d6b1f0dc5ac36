package io.marketetl;

import io.marketetl.connector.ApiConfig;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.spi.UriParam;

/**
 * The README's table of {@code api:} endpoint options, generated from the {@link UriParam} descriptions of
 * {@link ApiConfig} (each option documented once, there) and, for the tunables, their defaults in
 * application.properties ({@code camel.component.api.defaults.<option>}). {@code main} rewrites the README's table.
 */
public final class EndpointOptionsTable {

    static final String README_BEGIN = "<!-- api-options:begin (generated from ApiConfig) -->";
    static final String README_END = "<!-- api-options:end -->";

    private EndpointOptionsTable() {
    }

    /** One row per option: name (with its prefix for option groups), default, description. */
    public static String markdown(String applicationProperties) {
        StringBuilder sb = new StringBuilder("| Option | Default | Meaning |\n|---|---|---|\n");
        for (Field f : ApiConfig.class.getDeclaredFields()) {
            UriParam p = f.getAnnotation(UriParam.class);
            if (p == null) {
                continue;
            }
            String name = p.prefix().isEmpty() ? f.getName() : p.prefix() + "*";
            String def = p.defaultValue();
            Matcher m = Pattern.compile("(?m)^camel\\.component\\.api\\.defaults\\." + kebab(f.getName())
                    + "=\\{\\{([\\w.\\-]+)}}\\s*$").matcher(applicationProperties);
            if (m.find()) {
                def = "setting `" + m.group(1) + "`";
            }
            sb.append("| `").append(name).append("` | ").append(def.isEmpty() ? "" : def.startsWith("setting")
                    ? def : "`" + def + "`").append(" | ").append(p.description().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    public static String withTableIn(String readme, String table) {
        int b = readme.indexOf(README_BEGIN);
        int e = readme.indexOf(README_END);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("README has no " + README_BEGIN + " ... " + README_END + " block");
        }
        return readme.substring(0, b + README_BEGIN.length()) + "\n" + table + readme.substring(e);
    }

    public static void main(String[] args) throws java.io.IOException {
        Path readme = Path.of("README.md");
        String props = Files.readString(Path.of("application.properties"), StandardCharsets.UTF_8);
        Files.writeString(readme, withTableIn(Files.readString(readme, StandardCharsets.UTF_8), markdown(props)));
    }
}
