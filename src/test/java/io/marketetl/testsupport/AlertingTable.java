package io.marketetl.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The README's "Alerting" table: its metric families (first name of each row) and its suggested PromQL alerts. */
public final class AlertingTable {

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** One row: the first metric named in it, and the PromQL expressions of its alert column. */
    public record Row(String metric, List<String> alerts) {
    }

    private AlertingTable() {
    }

    public static List<Row> read(Path readme) throws IOException {
        String text = Files.readString(readme);
        int start = text.indexOf("### Alerting");
        if (start < 0) {
            throw new IllegalStateException("README has no Alerting section");
        }
        int end = text.indexOf("\n## ", start);
        List<Row> rows = new ArrayList<>();
        for (String line : text.substring(start, end < 0 ? text.length() : end).split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split(" \\| ");
            Matcher name = CODE.matcher(cells[0]);
            name.find();
            List<String> alerts = new ArrayList<>();
            Matcher alert = CODE.matcher(cells[cells.length - 1]);
            while (alert.find()) {
                String e = alert.group(1);
                if (e.contains("(") || e.contains(">") || e.contains("==")) {
                    alerts.add(e);
                }
            }
            rows.add(new Row(name.group(1), alerts));
        }
        return rows;
    }
}
