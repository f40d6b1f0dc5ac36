package io.marketetl.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.marketetl.exchanges.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Query results as JSON-ready rows: one map per row, keyed by column label, in column order. JSONB becomes JSON
 * (not a string), times ISO-8601 instants in UTC with their microseconds, numerics exact numbers.
 */
public final class SqlJson {

    private SqlJson() {
    }

    /** Runs {@code sql} with {@code params} (bound in order) and answers its rows. */
    public static List<Map<String, Object>> rows(DataSource dataSource, String sql, List<?> params)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return rows(c, sql, params);
        }
    }

    public static List<Map<String, Object>> rows(DataSource dataSource, String sql, Object... params)
            throws SQLException {
        return rows(dataSource, sql, List.of(params));
    }

    public static List<Map<String, Object>> rows(Connection c, String sql, List<?> params) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i), value(rs, i, md.getColumnTypeName(i)));
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    private static Object value(ResultSet rs, int i, String type) throws SQLException {
        Object v = rs.getObject(i);
        if (v == null) {
            return null;
        }
        if (type.equals("jsonb") || type.equals("json")) {
            try {
                return Json.MAPPER.readTree(rs.getString(i));
            } catch (JsonProcessingException e) {
                return rs.getString(i);
            }
        }
        if (type.equals("timestamptz")) {
            return rs.getObject(i, OffsetDateTime.class).toInstant().toString();
        }
        if (v instanceof java.sql.Timestamp ts) {
            return ts.toInstant().toString();
        }
        if (v instanceof java.sql.Array a) {
            return List.of((Object[]) a.getArray());
        }
        return v;
    }
}
