"""Exercises SQLAlchemy (psycopg2 dialect) against a server: Core table
creation, insert and select, then reflection through inspect(engine). Prints
one "section: value" line per observation; the Go test driving it compares
the lines with what PostgreSQL (with pgvector) answers.

Usage: python3 sqlalchemy_check.py URL [novector]
"novector" leaves out the vector column, for recording against a
PostgreSQL without pgvector.
"""

import sys
import warnings

import sqlalchemy as sa


def out(section, *vals):
    print(section + ":", *vals, flush=True)


def section(name, fn, *args):
    # Each section reports its own failure and the next one runs, so one
    # run shows everything that differs.
    try:
        fn(*args)
    except sa.exc.DBAPIError as e:
        out(name + " error", getattr(e.orig, "pgcode", None), str(e.orig).strip().replace("\n", " "))
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        out(name + " error", type(e).__name__, str(e).replace("\n", " "))


def core(engine, vector):
    with engine.begin() as conn:
        if vector:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
        conn.exec_driver_sql(
            "CREATE TABLE authors (id serial PRIMARY KEY, name varchar(50) NOT NULL UNIQUE,"
            " born date, rating numeric(4,1) DEFAULT 2.5)")
        conn.exec_driver_sql(
            "CREATE TABLE books (id bigint PRIMARY KEY, author_id integer NOT NULL, title text NOT NULL,"
            " pages smallint, tags text[], published boolean DEFAULT false"
            + (", embedding vector(3)" if vector else "") + ", UNIQUE (author_id, title))")
        conn.exec_driver_sql("CREATE INDEX books_pages_idx ON books (pages DESC)")
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("ALTER TABLE books ADD CONSTRAINT books_author_fk FOREIGN KEY (author_id)"
                                     " REFERENCES authors (id) ON DELETE CASCADE")
            out("core", "foreign key added")
        except sa.exc.DBAPIError as e:
            out("core", "foreign key refused", e.orig.pgcode)
    md = sa.MetaData()
    events = sa.Table("events", md,
                      sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("kind", sa.String(20), nullable=False, index=True),
                      sa.Column("weight", sa.Float),
                      sa.Column("at", sa.DateTime(timezone=True)),
                      sa.Column("payload", sa.JSON))
    md.create_all(engine)
    with engine.begin() as conn:
        r = conn.execute(events.insert(), [
            {"kind": "a", "weight": 1.5, "payload": {"k": [1, 2]}},
            {"kind": "b", "weight": None, "payload": None},
            {"kind": "a", "weight": -2.0, "payload": {"k": "v"}},
        ])
        out("core", "inserted", r.rowcount)
        ids = conn.execute(events.insert().returning(events.c.id), {"kind": "c"}).scalars().all()
        out("core", "returning", ids)
        rows = conn.execute(sa.select(events.c.id, events.c.kind, events.c.weight, events.c.payload)
                            .where(events.c.kind == sa.bindparam("k")).order_by(events.c.id), {"k": "a"}).all()
        out("core", "select", [tuple(r) for r in rows])
        agg = conn.execute(sa.select(events.c.kind, sa.func.count()).group_by(events.c.kind)
                           .order_by(events.c.kind)).all()
        out("core", "group", [tuple(r) for r in agg])
        upd = conn.execute(events.update().where(events.c.kind == "b").values(weight=9))
        out("core", "update", upd.rowcount)
        conn.execute(sa.text("INSERT INTO authors (name) VALUES (:n)"), [{"n": "Ann"}, {"n": "Bob"}])
        out("core", "authors", conn.execute(sa.text("SELECT id, name, rating FROM authors ORDER BY id")).all())
        if vector:
            conn.execute(sa.text("INSERT INTO books (id, author_id, title, embedding) VALUES (1, 1, 'x', :v)"),
                         {"v": "[1,2,3]"})
            out("core", "vector", conn.execute(sa.text("SELECT embedding FROM books")).scalar())


def show_type(t):
    if isinstance(t, sa.types.NullType):
        return "NullType"
    return repr(t)


def reflect(engine, vector):
    insp = sa.inspect(engine)
    schemas = insp.get_schema_names()
    out("schemas", [s for s in schemas if s in ("public", "information_schema")], "pg_catalog" in schemas)
    out("tables", insp.get_table_names())
    out("views", insp.get_view_names())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for table in ("authors", "books"):
            for c in insp.get_columns(table):
                out("columns", table, c["name"], show_type(c["type"]), c["nullable"], c["default"],
                    c.get("autoincrement"))
    # The vector column's type is unknown to the dialect: one warning.
    out("columns", "warnings", sorted({str(w.message) for w in caught}))
    for table in ("authors", "books", "events"):
        out("pk", table, insp.get_pk_constraint(table))
    for table in ("books", "events"):
        out("indexes", table, sorted(insp.get_indexes(table), key=lambda i: i["name"]))
    for table in ("authors", "books"):
        out("unique", table, sorted(insp.get_unique_constraints(table), key=lambda u: u["name"]))
    out("fk", "books", insp.get_foreign_keys("books"))
    out("fk", "authors", insp.get_foreign_keys("authors"))
    out("has_table", insp.has_table("books"), insp.has_table("nope"))
    md = sa.MetaData()
    books = sa.Table("books", md, autoload_with=engine)
    out("autoload", [c.name for c in books.columns], sorted(c.name for c in books.primary_key))


def enums(engine):
    # SQLAlchemy's Enum on PostgreSQL: create_all checks pg_type for the
    # type and emits CREATE TYPE, drop_all emits DROP TYPE; the inspector
    # reads pg_enum.
    md = sa.MetaData()
    mood = sa.Enum("sad", "ok", "happy", name="mood")
    diary = sa.Table("diary", md,
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("m", mood, nullable=False, server_default="ok"))
    md.create_all(engine)
    md.create_all(engine)  # again: the type and table exist, nothing to do
    with engine.begin() as conn:
        conn.execute(diary.insert(), [{"id": 1, "m": "happy"}, {"id": 2, "m": "sad"}])
        conn.execute(diary.insert(), {"id": 3})
        out("enum", "rows", conn.execute(sa.select(diary.c.id, diary.c.m).order_by(diary.c.m, diary.c.id)).all())
        out("enum", "filter", conn.execute(sa.select(diary.c.id).where(diary.c.m > "sad").order_by(diary.c.id))
            .scalars().all())
    try:
        with engine.begin() as conn:
            conn.execute(diary.insert(), {"id": 4, "m": "meh"})
    except sa.exc.StatementError as e:
        out("enum", "bad label", type(e).__name__, getattr(e.orig, "pgcode", None) if hasattr(e, "orig") else None)
    insp = sa.inspect(engine)
    out("enum", "get_enums", insp.get_enums())
    out("enum", "columns", [(c["name"], show_type(c["type"])) for c in insp.get_columns("diary")])
    md.drop_all(engine)
    out("enum", "dropped", sa.inspect(engine).get_enums())


def main():
    vector = not (len(sys.argv) > 2 and sys.argv[2] == "novector")
    engine = sa.create_engine(sys.argv[1], future=True)
    with engine.connect() as conn:
        out("connect", conn.dialect.name, conn.dialect.driver, conn.dialect.server_version_info[0])
    section("core", core, engine, vector)
    section("reflect", reflect, engine, vector)
    section("enum", enums, engine)
    engine.dispose()
    print("done")


main()
