package dev.evwatch.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Runs each query given after the URL, user and password through the ClickHouse JDBC driver and prints one
 * JSON line per query: {"columns": [...], "rows": [[...], ...]} with every value as the driver's getString,
 * or {"error": "..."} when the driver throws. "@tables" and "@columns:TABLE" ask the driver's
 * DatabaseMetaData instead, as DBeaver's navigator does.
 */
public final class RunQueries {
    private RunQueries() {}

    public static void main(String[] args) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", args[1]);
        properties.setProperty("password", args[2]);
        try (Connection connection = DriverManager.getConnection(args[0], properties)) {
            for (int i = 3; i < args.length; i++) {
                System.out.println(run(connection, args[i]));
            }
        }
    }

    private static String run(Connection connection, String sql) {
        try {
            if (sql.equals("@tables")) {
                return json(connection.getMetaData().getTables(null, "evwatch", "%", null));
            }
            if (sql.startsWith("@columns:")) {
                return json(connection.getMetaData().getColumns(null, "evwatch", sql.substring(9), "%"));
            }
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                return json(rows);
            }
        } catch (SQLException e) {
            return "{\"error\": " + quote(String.valueOf(e.getMessage())) + "}";
        }
    }

    private static String json(ResultSet rows) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (rows) {
            ResultSetMetaData meta = rows.getMetaData();
            out.append("{\"columns\": [");
            for (int c = 1; c <= meta.getColumnCount(); c++) {
                out.append(c > 1 ? ", " : "").append(quote(meta.getColumnName(c)));
            }
            out.append("], \"rows\": [");
            boolean first = true;
            while (rows.next()) {
                out.append(first ? "[" : ", [");
                first = false;
                for (int c = 1; c <= meta.getColumnCount(); c++) {
                    out.append(c > 1 ? ", " : "").append(quote(rows.getString(c)));
                }
                out.append("]");
            }
            return out.append("]}").toString();
        }
    }

    private static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char ch : value.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
