"""Exercises psycopg 3 against a server and prints one "section: value" line
per observation; the Go test driving it compares the lines with what
PostgreSQL (with pgvector) answers.

Usage: python3 psycopg3_check.py DSN [novector]
"novector" leaves out the vector parts, for recording against a PostgreSQL
without pgvector.
"""

import sys
import threading
import time

import psycopg
from psycopg.types import TypeInfo


def out(section, *vals):
    print(section + ":", *vals, flush=True)


def section(name, fn, conn):
    # Each section reports its own failure and the next one runs, so one
    # run shows everything that differs.
    try:
        fn(conn)
    except psycopg.Error as e:
        out(name + " error", e.sqlstate, str(e).replace("\n", " "))
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        out(name + " error", type(e).__name__, e)


def connect(conn):
    out("connect", conn.info.server_version // 10000, conn.info.parameter_status("server_encoding"),
        conn.info.parameter_status("client_encoding"))
    with conn.cursor() as cur:
        cur.execute("SELECT current_database(), current_user")
        out("connect", *cur.fetchone())


def ddl(conn):
    with conn.cursor() as cur:
        if VECTOR:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
        cur.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty smallint, score float8"
                    + (", embedding vector(3)" if VECTOR else "") + ")")
    conn.commit()


def params(conn):
    with conn.cursor() as cur:
        # Small Python ints are sent as int2 (or int4/int8 when they do not fit).
        cur.execute("SELECT %s + 1, pg_typeof(%s)::text, %s::int8 * 2, %s || 'x'", (1, 70000, 2**40, "ab"))
        out("params", "text", *cur.fetchone())
        cur.execute("INSERT INTO items (id, name, qty, score) VALUES (%s, %s, %s, %s)", (1, "one", 5, 1.5))
        cur.execute("SELECT id, name, qty, score FROM items WHERE id = %s AND qty = %s", (1, 5))
        out("params", "row", cur.fetchall())
        cur.execute("SELECT %(a)s::text, %(b)s::int4 + %(a)s::int4", {"a": "3", "b": 4})
        out("params", "named", cur.fetchone())
    with conn.cursor(binary=True) as cur:
        cur.execute("SELECT id, name, qty, score, %s::int4, %s::text, %s::bool, %s::numeric FROM items WHERE id = %s",
                    (7, "bin", True, "1.50", 1))
        out("params", "binary", cur.fetchone())
        out("params", "binary formats", [d.type_code for d in cur.description])
    conn.commit()


def pipeline(conn):
    with conn.pipeline():
        for i in range(2, 7):
            conn.execute("INSERT INTO items (id, name, qty, score) VALUES (%s, %s, %s, %s)", (i, "p%d" % i, i, i / 4))
        cur = conn.execute("SELECT count(*), sum(qty) FROM items")
        cur2 = conn.execute("SELECT name FROM items WHERE id = %s", (4,))
        out("pipeline", cur.fetchone(), cur2.fetchone())
    conn.commit()
    # An error inside a pipeline aborts the rest of it.
    try:
        with conn.pipeline():
            with conn.cursor() as cur:
                cur.execute("INSERT INTO items (id, name) VALUES (%s, %s)", (100, "kept?"))
                cur.execute("INSERT INTO items (id, name) VALUES (%s, %s)", (1, "duplicate"))
                cur.execute("INSERT INTO items (id, name) VALUES (%s, %s)", (101, "skipped"))
        out("pipeline", "duplicate accepted")
    except psycopg.Error as e:
        out("pipeline", "error", e.sqlstate)
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM items WHERE id >= 100")
        out("pipeline", "after error", cur.fetchone()[0])
    conn.commit()


def executemany(conn):
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO items (id, name, qty) VALUES (%s, %s, %s)",
                        [(i, "many%d" % i, i % 7) for i in range(10, 60)])
        out("executemany", cur.rowcount)
        cur.executemany("SELECT name FROM items WHERE id = %s", [(10,), (11,)], returning=True)
        names = []
        while True:
            names.append(cur.fetchone()[0])
            if not cur.nextset():
                break
        out("executemany", "returning", names)
        cur.execute("SELECT count(*), sum(qty) FROM items WHERE id BETWEEN 10 AND 59")
        out("executemany", "check", cur.fetchone())
    conn.commit()


def copy(conn):
    with conn.cursor() as cur:
        with cur.copy("COPY items (id, name, qty, score) FROM STDIN") as cp:
            for row in [(200, "tab\there", 1, 0.5), (201, "null score", 2, None), (202, "ünï", 3, 1e100)]:
                cp.write_row(row)
        out("copy", "in", cur.rowcount)
        with cur.copy("COPY items (id, name) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(["int8", "text"])
            cp.write_row((203, "binary"))
        out("copy", "in binary", cur.rowcount)
        with cur.copy("COPY (SELECT id, name, qty, score FROM items WHERE id >= 200 ORDER BY id) TO STDOUT") as cp:
            rows = list(cp.rows())
        out("copy", "out", rows)
        with cur.copy("COPY (SELECT id, name FROM items WHERE id >= 200 ORDER BY id) TO STDOUT (FORMAT BINARY)") as cp:
            cp.set_types(["int8", "text"])
            out("copy", "out binary", list(cp.rows()))
    conn.commit()


def vectors(conn):
    if not VECTOR:
        return
    with conn.cursor() as cur:
        cur.execute("UPDATE items SET embedding = %s WHERE id = %s", ("[1,2.5,-3]", 1))
        cur.execute("UPDATE items SET embedding = %s::vector WHERE id = %s", ("[0.1,0.2,0.3]", 2))
        cur.execute("SELECT embedding, embedding::text, embedding <-> %s FROM items WHERE id IN (1, 2) ORDER BY id",
                    ("[1,2.5,-3]",))
        out("vector", cur.fetchall())
    with conn.cursor(binary=True) as cur:
        cur.execute("SELECT embedding::text FROM items WHERE id = %s", (1,))
        out("vector", "binary cursor", cur.fetchone())
    conn.commit()
    info = TypeInfo.fetch(conn, "vector")
    out("typeinfo", info.name, info.oid > 0, info.array_oid > 0, info.oid != info.array_oid)
    missing = TypeInfo.fetch(conn, "no_such_type")
    out("typeinfo", "missing", missing)


def cancel(conn):
    def later():
        time.sleep(0.3)
        conn.cancel()
    t = threading.Thread(target=later)
    t.start()
    start = time.monotonic()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_sleep(20)")
        out("cancel", "not cancelled")
    except psycopg.errors.QueryCanceled as e:
        out("cancel", e.sqlstate, "promptly" if time.monotonic() - start < 10 else "late")
    t.join()
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT 1")
        out("cancel", "after", cur.fetchone()[0])
    conn.commit()


def transactions(conn):
    with conn.transaction():
        conn.execute("INSERT INTO items (id, name) VALUES (300, 'committed')")
    try:
        with conn.transaction():
            conn.execute("INSERT INTO items (id, name) VALUES (301, 'rolled back')")
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    with conn.transaction():
        conn.execute("INSERT INTO items (id, name) VALUES (302, 'outer')")
        try:
            with conn.transaction():
                conn.execute("INSERT INTO items (id, name) VALUES (303, 'savepoint')")
                conn.execute("INSERT INTO items (id, name) VALUES (300, 'duplicate')")
        except psycopg.errors.UniqueViolation as e:
            out("tx", "nested", e.sqlstate)
    out("tx", "ids", [r[0] for r in conn.execute("SELECT id FROM items WHERE id >= 300 ORDER BY id")])
    conn.commit()


VECTOR = True


def main():
    global VECTOR
    VECTOR = not (len(sys.argv) > 2 and sys.argv[2] == "novector")
    with psycopg.connect(sys.argv[1], connect_timeout=10) as conn:
        for name, fn in [("connect", connect), ("ddl", ddl), ("params", params), ("pipeline", pipeline),
                         ("executemany", executemany), ("copy", copy), ("vector", vectors), ("cancel", cancel)]:
            section(name, fn, conn)
    with psycopg.connect(sys.argv[1], connect_timeout=10, autocommit=True) as conn:
        section("tx", transactions, conn)
    print("done")


main()
