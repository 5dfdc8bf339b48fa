import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PGobject;

/**
 * Exercises the PostgreSQL JDBC driver against a server and prints one
 * "section: value" line per observation; the Go test driving it compares
 * the lines with what PostgreSQL (with pgvector) answers.
 *
 * Usage: java JdbcCheck jdbc:postgresql://host:port/db user [novector]
 * "novector" leaves out the vector column, for recording against a
 * PostgreSQL without pgvector.
 */
public class JdbcCheck {
    static boolean vector = true;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("sslmode", "disable");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "30");
        vector = !(args.length > 2 && args[2].equals("novector"));
        // Each section reports its own failure and the next one runs, so a
        // single run shows everything that differs.
        try (Connection c = DriverManager.getConnection(url, props)) {
            section("connect", () -> connect(c));
            section("ddl", () -> ddl(c));
            section("prepared", () -> prepared(c));
            section("batch", () -> batch(c));
            section("copy", () -> copy(c));
            section("tx", () -> transactions(c));
            section("cancel", () -> cancel(c));
            section("rsmeta", () -> resultSetMeta(c));
            section("schemas", () -> metaGetSchemas(c));
            section("tables", () -> metaGetTables(c));
            section("relations", () -> metaGetTables2(c));
            section("columns", () -> metaGetColumns(c));
            section("pk", () -> metaGetPrimaryKeys(c));
            section("index", () -> metaGetIndexInfo(c));
            section("index", () -> metaGetIndexInfo2(c));
            section("imported", () -> metaGetImportedKeys(c));
            section("exported", () -> metaGetExportedKeys(c));
            section("typeinfo", () -> metaGetTypeInfo(c));
        }
        Properties bin = new Properties();
        bin.putAll(props);
        bin.setProperty("prepareThreshold", "-1");
        bin.setProperty("binaryTransfer", "true");
        try (Connection c = DriverManager.getConnection(url, bin)) {
            section("binary", () -> binary(c));
            section("enum", () -> enums(c));
        }
        System.out.println("done");
    }

    interface Body {
        void run() throws Exception;
    }

    static void section(String name, Body b) {
        try {
            b.run();
        } catch (SQLException e) {
            System.out.println(name + " error: " + e.getSQLState() + " " + e.getMessage().replace('\n', ' '));
        } catch (Exception e) {
            System.out.println(name + " error: " + e);
        }
    }

    static void out(String section, Object... vals) {
        StringBuilder sb = new StringBuilder(section).append(":");
        for (Object v : vals) {
            sb.append(' ').append(v);
        }
        System.out.println(sb);
    }

    static void connect(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        out("connect", md.getDatabaseProductName(), md.getDatabaseMajorVersion(), c.getAutoCommit());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database(), current_schema()")) {
            rs.next();
            out("connect", rs.getString(1), rs.getString(2));
        }
    }

    static void ddl(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (vector) {
                s.execute("CREATE EXTENSION IF NOT EXISTS vector");
            }
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, qty integer DEFAULT 7,"
                    + " price numeric(10,2), note text" + (vector ? ", embedding vector(3)" : "") + ")");
            s.execute("CREATE INDEX items_qty_idx ON items (qty)");
            s.execute("CREATE INDEX items_price_note_idx ON items (price DESC, note)");
            // Foreign keys are reported below when the server accepts them.
            try {
                s.execute("CREATE TABLE orders (id integer PRIMARY KEY, item_id bigint REFERENCES items (id) ON DELETE CASCADE)");
                out("ddl", "orders with foreign key");
            } catch (SQLException e) {
                out("ddl", "orders without foreign key:", e.getSQLState());
                s.execute("CREATE TABLE orders (id integer PRIMARY KEY, item_id bigint)");
            }
        }
    }

    static void prepared(Connection c) throws SQLException {
        String ins = "INSERT INTO items (id, name, qty, price, note" + (vector ? ", embedding" : "") + ") VALUES (?, ?, ?, ?, ?"
                + (vector ? ", ?::vector" : "") + ")";
        try (PreparedStatement p = c.prepareStatement(ins)) {
            // Six executions pass the driver's prepareThreshold (5), so the
            // later ones run as a named server-side statement.
            for (int i = 1; i <= 6; i++) {
                p.setLong(1, i);
                p.setString(2, "item" + i);
                p.setInt(3, i * 10);
                p.setBigDecimal(4, new BigDecimal(i + ".25"));
                if (i % 2 == 0) {
                    p.setNull(5, java.sql.Types.VARCHAR);
                } else {
                    p.setString(5, "odd");
                }
                if (vector) {
                    p.setString(6, "[" + i + ",0.5,-" + i + "]");
                }
                out("prepared", "insert", i, p.executeUpdate());
            }
        }
        if (vector) {
            try (PreparedStatement p = c.prepareStatement("UPDATE items SET embedding = ? WHERE id = ?")) {
                PGobject v = new PGobject();
                v.setType("vector");
                v.setValue("[9,8,7]");
                p.setObject(1, v);
                p.setLong(2, 6);
                out("prepared", "update pgobject", p.executeUpdate());
            }
        }
        String sel = "SELECT id, name, qty, price, note" + (vector ? ", embedding" : "") + " FROM items WHERE id = ? OR qty = ? ORDER BY id";
        try (PreparedStatement p = c.prepareStatement(sel)) {
            for (int round = 0; round < 6; round++) {
                p.setLong(1, 1);
                p.setInt(2, 60);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (round != 5) {
                            continue;
                        }
                        Object emb = vector ? rs.getObject(6) : null;
                        out("prepared", "row", rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getBigDecimal(4),
                                rs.getString(5), rs.wasNull(),
                                vector ? emb.getClass().getSimpleName() + "/" + ((PGobject) emb).getType() + "/" + emb : "");
                    }
                }
            }
        }
        if (vector) {
            try (PreparedStatement p = c.prepareStatement("SELECT id, embedding <-> ?::vector AS d FROM items ORDER BY d LIMIT 2")) {
                p.setString(1, "[1,0.5,-1]");
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out("prepared", "nearest", rs.getLong(1), rs.getDouble(2));
                    }
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT ?::int8 + 1, ? || 'x', ?, ?")) {
            p.setObject(1, 41L);
            p.setObject(2, "ab");
            p.setObject(3, Boolean.TRUE);
            p.setObject(4, 2.5d);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                out("prepared", "objects", rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getDouble(4));
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT * FROM items WHERE id = ?")) {
            p.setString(1, "not a number");
            p.executeQuery();
            out("prepared", "bad parameter accepted");
        } catch (SQLException e) {
            out("prepared", "bad parameter", e.getSQLState());
        }
    }

    static void batch(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO items (id, name, qty) VALUES (?, ?, ?)")) {
            for (int i = 100; i < 150; i++) {
                p.setLong(1, i);
                p.setString(2, "batch" + i);
                p.setInt(3, i % 5);
                p.addBatch();
            }
            int[] counts = p.executeBatch();
            int sum = 0;
            for (int n : counts) {
                sum += n;
            }
            out("batch", counts.length, sum);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(qty), min(name) FROM items WHERE id >= 100")) {
            rs.next();
            out("batch", "check", rs.getLong(1), rs.getLong(2), rs.getString(3));
        }
        // A failing batch reports the failing statement.
        try (PreparedStatement p = c.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
            p.setLong(1, 200);
            p.setString(2, "dup");
            p.addBatch();
            p.setLong(1, 200);
            p.setString(2, "dup2");
            p.addBatch();
            p.executeBatch();
            out("batch", "duplicate accepted");
        } catch (SQLException e) {
            SQLException next = e.getNextException();
            out("batch", "duplicate", e.getSQLState(), next == null ? "-" : next.getSQLState());
        }
    }

    static void copy(Connection c) throws Exception {
        CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
        String data = "1000\tcopied a\t1\n1001\tcopied\\tb\t\\N\n1002\t\"q\"\t3\n";
        long n = cm.copyIn("COPY items (id, name, qty) FROM STDIN", new StringReader(data));
        out("copy", "in", n);
        String csv = "1003,\"c,sv\",4\n1004,plain,\n";
        out("copy", "in csv", cm.copyIn("COPY items (id, name, qty) FROM STDIN WITH (FORMAT csv)", new StringReader(csv)));
        StringWriter w = new StringWriter();
        long m = cm.copyOut("COPY (SELECT id, name, qty FROM items WHERE id >= 1000 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", w);
        out("copy", "out", m, w.toString().replace("\n", "|"));
        w = new StringWriter();
        cm.copyOut("COPY items (id, note) TO STDOUT", w);
        out("copy", "out table lines", w.toString().split("\n").length);
        try {
            cm.copyIn("COPY items (id, name, qty) FROM STDIN", new StringReader("2000\tok\t1\n2001\tbad\tx\n"));
            out("copy", "bad row accepted");
        } catch (SQLException e) {
            out("copy", "bad row", e.getSQLState());
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id >= 2000")) {
            rs.next();
            out("copy", "after bad row", rs.getLong(1));
        }
    }

    static void transactions(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO items (id, name) VALUES (3000, 'rolled back')");
            c.rollback();
            s.executeUpdate("INSERT INTO items (id, name) VALUES (3001, 'kept')");
            Savepoint sp = c.setSavepoint("sp1");
            s.executeUpdate("INSERT INTO items (id, name) VALUES (3002, 'to savepoint')");
            c.rollback(sp);
            try {
                s.executeUpdate("INSERT INTO items (id, name) VALUES (3001, 'duplicate')");
            } catch (SQLException e) {
                out("tx", "duplicate", e.getSQLState());
            }
            try {
                s.executeQuery("SELECT 1");
                out("tx", "aborted transaction accepted a query");
            } catch (SQLException e) {
                out("tx", "aborted", e.getSQLState());
            }
            c.rollback();
            s.executeUpdate("INSERT INTO items (id, name) VALUES (3003, 'committed')");
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM items WHERE id >= 3000 ORDER BY id")) {
            List<Long> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
            out("tx", "ids", ids);
        }
    }

    static void cancel(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    s.cancel();
                } catch (Exception e) {
                    System.out.println("cancel error: " + e);
                }
            });
            t.start();
            long start = System.nanoTime();
            try {
                s.executeQuery("SELECT pg_sleep(20)");
                out("cancel", "not cancelled");
            } catch (SQLException e) {
                long ms = (System.nanoTime() - start) / 1_000_000;
                out("cancel", e.getSQLState(), ms < 10_000 ? "promptly" : "after " + ms + " ms");
            }
            t.join();
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                out("cancel", "after", rs.getInt(1));
            }
            s.setQueryTimeout(1);
            try {
                s.executeQuery("SELECT pg_sleep(20)");
                out("cancel", "timeout not applied");
            } catch (SQLException e) {
                out("cancel", "timeout", e.getSQLState());
            }
        }
    }

    static void resultSetMeta(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name, qty, price" + (vector ? ", embedding" : "") + " FROM items LIMIT 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out("rsmeta", md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i), md.getTableName(i),
                        md.isNullable(i), md.getPrecision(i), md.getScale(i), md.getColumnClassName(i));
            }
        }
    }

    static void metaGetSchemas(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getSchemas()) {
            while (rs.next()) {
                out("schemas", rs.getString("TABLE_SCHEM"), rs.getString("TABLE_CATALOG"));
            }
        }
    }

    static void metaGetTables(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                out("tables", rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE"));
            }
        }
    }

    static void metaGetTables2(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(null, "public", "items%", null)) {
            while (rs.next()) {
                out("relations", rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE"));
            }
        }
    }

    static void metaGetColumns(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getColumns(null, "public", "items", "%")) {
            while (rs.next()) {
                out("columns", rs.getInt("ORDINAL_POSITION"), rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                        rs.getString("TYPE_NAME"), rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS"),
                        rs.getInt("NULLABLE"), rs.getString("IS_NULLABLE"), rs.getString("COLUMN_DEF"),
                        rs.getString("IS_AUTOINCREMENT"));
            }
        }
    }

    static void metaGetPrimaryKeys(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getPrimaryKeys(null, "public", "items")) {
            while (rs.next()) {
                out("pk", rs.getString("TABLE_NAME"), rs.getString("COLUMN_NAME"), rs.getInt("KEY_SEQ"), rs.getString("PK_NAME"));
            }
        }
    }

    static void metaGetIndexInfo(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getIndexInfo(null, "public", "items", false, false)) {
            while (rs.next()) {
                out("index", rs.getString("INDEX_NAME"), rs.getBoolean("NON_UNIQUE"), rs.getInt("TYPE"),
                        rs.getInt("ORDINAL_POSITION"), rs.getString("COLUMN_NAME"), rs.getString("ASC_OR_DESC"));
            }
        }
    }

    static void metaGetIndexInfo2(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getIndexInfo(null, "public", "items", true, false)) {
            int n = 0;
            while (rs.next()) {
                n++;
            }
            out("index", "unique only", n);
        }
    }

    static void metaGetImportedKeys(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getImportedKeys(null, "public", "orders")) {
            int n = 0;
            while (rs.next()) {
                n++;
                out("imported", rs.getString("PKTABLE_NAME"), rs.getString("PKCOLUMN_NAME"), rs.getString("FKTABLE_NAME"),
                        rs.getString("FKCOLUMN_NAME"), rs.getInt("KEY_SEQ"), rs.getInt("UPDATE_RULE"), rs.getInt("DELETE_RULE"),
                        rs.getString("FK_NAME"), rs.getString("PK_NAME"));
            }
            out("imported", "count", n);
        }
    }

    static void metaGetExportedKeys(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getExportedKeys(null, "public", "items")) {
            int n = 0;
            while (rs.next()) {
                n++;
                out("exported", rs.getString("FKTABLE_NAME"), rs.getString("FKCOLUMN_NAME"), rs.getString("FK_NAME"));
            }
            out("exported", "count", n);
        }
    }

    static void metaGetTypeInfo(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTypeInfo()) {
            // The driver leaves the order to the server's catalog scan.
            List<String> picked = new ArrayList<>();
            int n = 0;
            while (rs.next()) {
                n++;
                String name = rs.getString("TYPE_NAME");
                if (name.equals("int4") || name.equals("text") || name.equals("numeric") || name.equals("vector")
                        || name.equals("bool")) {
                    picked.add(name + " " + rs.getInt("DATA_TYPE") + " " + rs.getInt("PRECISION") + " "
                            + rs.getBoolean("CASE_SENSITIVE") + " " + rs.getInt("SEARCHABLE") + " "
                            + rs.getBoolean("UNSIGNED_ATTRIBUTE") + " " + rs.getBoolean("AUTO_INCREMENT"));
                }
            }
            java.util.Collections.sort(picked);
            for (String p : picked) {
                out("typeinfo", p);
            }
            out("typeinfo", "many", n > 20);
        }
    }

    static void binary(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id, name, qty, price, ?::float8 * 2, ?::bool, ?::date, ?::uuid, ?::text" + (vector ? ", embedding" : "")
                        + " FROM items WHERE id = ?")) {
            p.setDouble(1, 1.25);
            p.setBoolean(2, true);
            p.setDate(3, java.sql.Date.valueOf("2024-02-29"));
            p.setObject(4, java.util.UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
            p.setString(5, "ünïcode");
            p.setLong(6, 3);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out("binary", rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getBigDecimal(4), rs.getDouble(5),
                            rs.getBoolean(6), rs.getDate(7), rs.getObject(8), rs.getString(9), vector ? rs.getString(10) : "");
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM items WHERE qty > ?")) {
            p.setInt(1, 25);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                out("binary", "count", rs.getLong(1));
            }
        }
    }

    // An enum column: the driver sends its values as Types.OTHER (untyped)
    // or a string cast in the query; setString types them varchar, which
    // PostgreSQL refuses for an enum column.
    static void enums(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
            s.execute("CREATE TABLE moods (id int PRIMARY KEY, m mood NOT NULL)");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO moods VALUES (?, ?)")) {
            p.setInt(1, 1);
            p.setObject(2, "happy", java.sql.Types.OTHER);
            p.executeUpdate();
            p.setInt(1, 2);
            p.setObject(2, "sad", java.sql.Types.OTHER);
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO moods VALUES (?, ?)")) {
            p.setInt(1, 3);
            p.setString(2, "ok");
            p.executeUpdate();
        } catch (SQLException e) {
            out("enum", "setString", e.getSQLState(), e.getMessage().split("\n")[0]);
        }
        try (PreparedStatement p = c.prepareStatement("SELECT id, m FROM moods WHERE m >= ?::mood ORDER BY m")) {
            p.setString(1, "sad");
            try (ResultSet rs = p.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                out("enum", "meta", md.getColumnTypeName(2), md.getColumnType(2), md.getColumnClassName(2));
                while (rs.next()) {
                    out("enum", rs.getInt(1), rs.getString(2), rs.getObject(2));
                }
            }
        }
        try (ResultSet rs = c.getMetaData().getColumns(null, "public", "moods", "m")) {
            while (rs.next()) {
                out("enum", "column", rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"), rs.getInt("COLUMN_SIZE"));
            }
        }
    }
}
