-- psql's \d family over pgvector's objects. The expected output is
-- Quiver's own (the PostgreSQL 15 on the recording machine has no
-- pgvector), checked line by line against the shape psql 15 gives with
-- pgvector installed: extension vector in schema public, its type,
-- functions and operators in public, its members in \dx+.
CREATE TABLE docs (id bigint PRIMARY KEY, emb vector(3));
CREATE INDEX docs_emb_idx ON docs USING hnsw (emb vector_l2_ops);
\dx
\dT
\df l2_distance
\df+ cosine_distance
\do <->
\do public.<=>
\dC vector
\di docs_emb_idx
SELECT 'docs_emb_idx'::regclass, 'vector_norm'::regproc;
