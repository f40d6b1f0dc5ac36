package io.marketetl.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The indexes a query's plan uses, read from {@code EXPLAIN (FORMAT JSON)}. */
public final class QueryPlans {

    private static final ObjectMapper JSON = new ObjectMapper();

    private QueryPlans() {
    }

    /**
     * Names of the indexes in the plan of {@code sql} (empty: no index used); with {@code seqscanOff} the planner
     * avoids sequential scans where an index path exists.
     */
    public static List<String> indexesUsed(Statement s, String sql, boolean seqscanOff) throws SQLException {
        s.execute("SET enable_seqscan = " + (seqscanOff ? "off" : "on"));
        try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
            rs.next();
            return indexesIn(rs.getString(1));
        } finally {
            s.execute("RESET enable_seqscan");
        }
    }

    /** Names of the indexes in an {@code EXPLAIN (FORMAT JSON)} answer. */
    public static List<String> indexesIn(String explainJson) {
        try {
            List<String> names = new ArrayList<>();
            collect(JSON.readTree(explainJson).get(0).get("Plan"), names);
            return names;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void collect(JsonNode plan, List<String> names) {
        String type = plan.path("Node Type").asText();
        if (type.equals("Index Scan") || type.equals("Index Only Scan") || type.equals("Bitmap Index Scan")) {
            names.add(plan.path("Index Name").asText());
        }
        for (JsonNode child : plan.path("Plans")) {
            collect(child, names);
        }
    }
}
