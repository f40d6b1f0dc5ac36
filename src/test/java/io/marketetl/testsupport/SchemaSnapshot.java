package io.marketetl.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** What a schema looks like to PostgreSQL's catalogs: columns, constraints and indexes, one line each. */
public record SchemaSnapshot(List<String> columns, List<String> constraints, List<String> indexes) {

    private static final String NOT_FLYWAY = "'flyway_schema_history'";

    public static SchemaSnapshot of(DataSource ds) {
        return new SchemaSnapshot(
                rows(ds, "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,"
                        + " numeric_scale, is_nullable, column_default FROM information_schema.columns"
                        + " WHERE table_schema = 'public' AND table_name <> " + NOT_FLYWAY + " ORDER BY 1, 2"),
                rows(ds, "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)"
                        + " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                        + " AND conrelid::regclass::text <> " + NOT_FLYWAY + " ORDER BY 1, 2"),
                rows(ds, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
                        + " AND tablename <> " + NOT_FLYWAY + " ORDER BY 1, 2"));
    }

    private static List<String> rows(DataSource ds, String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    line.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.add(line.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
        return out;
    }
}
