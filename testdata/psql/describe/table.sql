-- \d TABLE: columns with types, collation, nullability and defaults,
-- then the indexes and constraints footer.
CREATE TABLE everything (
  id integer PRIMARY KEY,
  small smallint NOT NULL,
  big bigint DEFAULT 42,
  r real,
  d double precision,
  n numeric(10,2) DEFAULT 0,
  nn numeric,
  t text NOT NULL DEFAULT 'x',
  vc varchar(30),
  ch char(4),
  b boolean DEFAULT true,
  by bytea,
  dt date,
  ts timestamp,
  tstz timestamptz DEFAULT now(),
  iv interval,
  u uuid,
  j json,
  jb jsonb,
  arr integer[],
  tarr text[]
);
CREATE UNIQUE INDEX everything_small_key ON everything (small);
CREATE INDEX everything_t_vc_idx ON everything (t, vc);
\d everything
\d everything_pkey
