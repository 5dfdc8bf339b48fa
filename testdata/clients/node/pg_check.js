'use strict';
// Exercises node-postgres (pg) and pg-copy-streams against a server and
// prints one "section: value" line per observation; the Go test driving it
// (TestClientNode) compares the lines with pg_expected.txt.
//
// Usage: node pg_check.js HOST PORT USER DATABASE [novector]
// The password comes from PGPASSWORD; the modules from NODE_PATH.
// "novector" leaves out the vector section, for recording against a
// PostgreSQL without pgvector. PostgreSQL 15 on the machine that recorded
// pg_expected.txt had no pgvector, so its vector lines were recorded against
// Quiver (the expected file's header says so); every other line is
// PostgreSQL 15's.

const crypto = require('crypto');
const { Readable } = require('stream');
const { pipeline } = require('stream/promises');
const { Client, Pool, Query } = require('pg');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');

const [host, portArg, user, database, mode] = process.argv.slice(2);
const VECTOR = mode !== 'novector';
const base = {
  host,
  port: Number(portArg),
  user,
  database,
  password: process.env.PGPASSWORD || '',
  connectionTimeoutMillis: 10000,
};
// SCRAM over TLS unless a section asks otherwise; the server's certificate
// is self-signed, so it is not verified.
const tls = { ...base, ssl: { rejectUnauthorized: false } };

function out(section, ...vals) {
  process.stdout.write(section + ': ' + vals.join(' ') + '\n');
}

// show prints a parsed value with its JavaScript type visible: Dates as
// ISO instants (independent of the client's time zone), Buffers in hex.
function show(v) {
  if (v === null || v === undefined) return String(v);
  if (v instanceof Date) return 'Date(' + v.toISOString() + ')';
  if (Buffer.isBuffer(v)) return 'Buffer(' + v.toString('hex') + ')';
  if (Array.isArray(v)) return '[' + v.map(show).join(',') + ']';
  if (typeof v === 'object') return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + show(v[k])).join(',') + '}';
  if (typeof v === 'string') return JSON.stringify(v);
  return typeof v + ':' + String(v);
}

function errLine(e) {
  return e.code ? e.code + ' ' + e.message : (e.name || 'Error') + ' ' + e.message;
}

// connect opens a client and notes which SASL mechanisms the server offered
// and which one pg chose.
async function connect(cfg) {
  const c = new Client(cfg);
  const auth = { offered: null, chose: null };
  c.connection.once('authenticationSASL', (msg) => { auth.offered = msg.mechanisms.join(','); });
  const send = c.connection.sendSASLInitialResponseMessage.bind(c.connection);
  c.connection.sendSASLInitialResponseMessage = (mechanism, response) => {
    auth.chose = mechanism;
    return send(mechanism, response);
  };
  await c.connect();
  c.auth = auth;
  c.on('error', (e) => out('client error', errLine(e)));
  return c;
}

const encrypted = (c) => Boolean(c.connection.stream.encrypted);

async function section(name, fn, client) {
  // Each section reports its own failure and the next one runs, so one run
  // shows everything that differs.
  try {
    await fn(client);
  } catch (e) {
    out(name + ' error', errLine(e).replace(/\n/g, ' '));
    try { await client.query('ROLLBACK'); } catch (_) { /* connection gone */ }
  }
}

async function sessionInfo(c) {
  const r = await c.query("SELECT current_setting('server_version_num')::int / 10000 AS v, current_setting('server_encoding') AS se, "
    + "current_setting('client_encoding') AS ce, current_database() AS db, current_user AS u");
  const row = r.rows[0];
  return [row.v, row.se, row.ce, row.db, row.u].join(' ');
}

async function connectTLS(c) {
  out('connect', 'tls', encrypted(c), 'offered', c.auth.offered, 'chose', c.auth.chose);
  out('connect', await sessionInfo(c));
  out('connect', 'backend key', Number.isInteger(c.processID) && c.processID > 0, typeof c.secretKey);
  // Channel binding (SCRAM-SHA-256-PLUS with tls-server-end-point) when
  // the client asks for it.
  const plus = await connect({ ...tls, enableChannelBinding: true });
  try {
    out('connect', 'channel binding', 'tls', encrypted(plus), 'chose', plus.auth.chose, (await plus.query('SELECT 1 AS one')).rows[0].one);
  } finally {
    await plus.end();
  }
}

async function plain() {
  const c = await connect({ ...base, ssl: false });
  try {
    out('plain', 'tls', encrypted(c), 'offered', c.auth.offered, 'chose', c.auth.chose);
    out('plain', await sessionInfo(c));
    const r = await c.query({ name: 'plain_sel', text: 'SELECT $1::int4 * 2 AS d', values: [21] });
    out('plain', 'prepared', show(r.rows[0].d));
  } finally {
    await c.end();
  }
  for (const ssl of [false, { rejectUnauthorized: false }]) {
    const bad = new Client({ ...base, ssl, password: 'wrong-password' });
    try {
      await bad.connect();
      out('plain', 'wrong password accepted');
      await bad.end();
    } catch (e) {
      out('plain', 'wrong password', ssl ? 'tls' : 'no tls', errLine(e));
    }
  }
}

async function ddl(c) {
  await c.query(`CREATE TABLE items (
    id int4 PRIMARY KEY, name text NOT NULL UNIQUE, qty int4, price numeric(10,2), score float8,
    flag bool, at timestamptz, doc jsonb, data bytea, tags int4[])`);
  out('ddl', 'ok');
}

const insertItem = 'INSERT INTO items (id, name, qty, price, score, flag, at, doc, data, tags) '
  + 'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id';

async function prepared(c) {
  const rows = [
    [1, 'one', 10, '1.25', 1.5, true, new Date(Date.UTC(2024, 1, 29, 7, 44, 15, 123)), { a: [1, 2], s: 'é' }, Buffer.from([0, 1, 127, 128, 255]), [1, 2, 3]],
    [2, "two 'quoted' \"double\" back\\slash", null, '-0.50', -2.25e-7, false, new Date(Date.UTC(1999, 11, 31, 23, 59, 59)), JSON.stringify([null, true]), Buffer.alloc(0), []],
    [3, 'ünïcode 😀', 30, '99999999.99', 3.141592653589793, null, null, null, null, [null, -7]],
  ];
  for (const r of rows) {
    const res = await c.query({ name: 'ins_item', text: insertItem, values: r });
    out('prepared', 'insert', res.command, res.rowCount, show(res.rows[0].id));
  }
  const sel = 'SELECT id, name, qty, price, score, flag, at, doc, data, tags FROM items WHERE id = $1';
  for (const id of [1, 2, 3]) {
    const res = await c.query({ name: 'sel_item', text: sel, values: [id] });
    out('prepared', 'row', show(Object.values(res.rows[0])));
  }
  const res = await c.query({ name: 'sel_item', text: sel, values: [1], rowMode: 'array' });
  out('prepared', 'fields', res.fields.map((f) => f.name + '/' + f.dataTypeID).join(' '));
  out('prepared', 'array row', show(res.rows[0].slice(0, 3)));
  // Typed parameters round-trip through the server's text input and output.
  const rt = await c.query({
    name: 'roundtrip',
    text: 'SELECT $1::int4 AS i, $2::int8 AS b, $3::float8 AS f, $4::text AS t, $5::bool AS bo, $6::numeric AS n, '
      + '$7::timestamptz AS ts, $8::jsonb AS j, $9::bytea AS by, $10::int4[] AS arr, $11::text AS nul',
    values: [-2147483648, '9007199254740993', 0.1, 'tab\there', false, '-12345678901234567890.000123',
      new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 1)), { k: { n: 1.5 } }, Buffer.from('\\x00', 'latin1'), [5, -6], null],
  });
  for (const f of rt.fields) out('prepared', 'roundtrip', f.name, f.dataTypeID, show(rt.rows[0][f.name]));
  // A parameter that does not parse as its type: the statement stays usable.
  try {
    await c.query({ name: 'roundtrip', values: ['x', 1, 1, '', true, 1, new Date(0), 1, Buffer.alloc(0), [], null] });
    out('prepared', 'bad int accepted');
  } catch (e) {
    out('prepared', 'bad parameter', errLine(e));
  }
  const again = await c.query({ name: 'sel_item', text: sel, values: [3] });
  out('prepared', 'after error', show(again.rows[0].name));
}

async function binary(c) {
  // binary: true asks for every result column in binary; pg-types parses
  // int2/4/8, float4/8, bool, text, numeric, timestamptz and int arrays
  // from binary, and leaves other types as String(buffer). pg decodes each
  // DataRow field as UTF-8 before its binary parser runs, so bytes >= 0x80
  // come out mangled: the values below have binary forms in 0x00-0x7f.
  const res = await c.query({
    text: 'SELECT $1::int4 AS i4, $2::int8 AS i8, $3::int2 AS i2, $4::float8 AS f8, $5::float4 AS f4, $6::bool AS b, '
      + '$7::text AS t, $8::timestamptz AS ts, $9::int4[] AS arr, $10::numeric AS n, $11::numeric AS neg, '
      + "'x'::varchar AS v, 2::oid AS o, NULL::int4 AS nul",
    values: [1094861636, '4702394921427289928', 16706, 6.25, 2.5, true, 'bin ü', '2000-01-29 12:00:00+00', [1, 2, 3],
      '100.01', '-100.0100'],
    binary: true,
  });
  out('binary', 'fields', res.fields.map((f) => f.name + '/' + f.dataTypeID + '/' + f.format).join(' '));
  out('binary', 'row', show(Object.values(res.rows[0])));
  const items = await c.query({ text: 'SELECT id, name, qty, tags FROM items WHERE id = ANY($1) ORDER BY id', values: [[1, 2]], binary: true });
  for (const r of items.rows) out('binary', 'item', show(Object.values(r)));
  // Buffer parameters go in binary format (format code 1); the server reads
  // them with its binary receive functions.
  const four = Buffer.alloc(4); four.writeInt32BE(-42);
  const eight = Buffer.alloc(8); eight.writeDoubleBE(6.25);
  const params = await c.query({
    text: 'SELECT $1::int4 + 1 AS i, $2::float8 * 2 AS f, $3::bytea AS b, length($3::bytea) AS n, $4::jsonb AS j',
    values: [four, eight, Buffer.from([0, 92, 255]), Buffer.concat([Buffer.from([1]), Buffer.from('{"b": [1, "ü"]}')])],
  });
  out('binary', 'params', show(Object.values(params.rows[0])));
  const jb = await c.query({ text: 'SELECT \'{"z": 1}\'::jsonb AS j, \'\\x41\'::bytea AS b', binary: true });
  out('binary', 'raw', show(Object.values(jb.rows[0])));
}

async function vectors(c) {
  // Recorded against Quiver: PostgreSQL 15 here has no pgvector.
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  await c.query('CREATE TABLE vecs (id int4 PRIMARY KEY, embedding vector(3))');
  for (const [id, v] of [[1, '[1,2.5,-3]'], [2, '[0.1,0.2,0.3]'], [3, null]]) {
    await c.query({ name: 'ins_vec', text: 'INSERT INTO vecs VALUES ($1, $2)', values: [id, v] });
  }
  const res = await c.query({
    name: 'knn',
    text: 'SELECT id, embedding, embedding <-> $1 AS d FROM vecs WHERE embedding IS NOT NULL ORDER BY embedding <-> $1 LIMIT $2',
    values: ['[1,2,-3]', 5],
  });
  out('vector', 'type', (await c.query("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'vecs'::regclass AND attname = 'embedding'")).rows[0].t);
  for (const r of res.rows) out('vector', 'row', show(r.id), show(r.embedding), show(r.d));
  const bad = await c.query('SELECT $1::vector(3) AS v', ['[1,2]']).then(() => 'accepted', errLine);
  out('vector', 'bad dimensions', bad);
}

async function copyIn(c, sql, data) {
  const s = c.query(copyFrom(sql));
  await pipeline(Readable.from([Buffer.isBuffer(data) ? data : Buffer.from(data)]), s);
  return s.rowCount;
}

async function copyOutRaw(c, sql) {
  const s = c.query(copyTo(sql));
  const chunks = [];
  for await (const chunk of s) chunks.push(chunk);
  return [s.rowCount, Buffer.concat(chunks)];
}

async function copyOut(c, sql) {
  const [n, b] = await copyOutRaw(c, sql);
  return [n, b.toString('utf8')];
}

async function copy(c) {
  out('copy', 'in text', await copyIn(c, 'COPY items (id, name, qty, price) FROM STDIN',
    '100\ttab\\there\t1\t0.5\n101\tnull qty\t\\N\t\\N\n102\tback\\\\slash ü\t3\t-7.25\n'));
  out('copy', 'in csv', await copyIn(c, 'COPY items (id, name, qty, tags) FROM STDIN (FORMAT csv, HEADER true)',
    'id,name,qty,tags\n110,"comma, quote""",5,"{1,2}"\n111,"",6,\n112,"multi\nline",7,{}\n'));
  const [n, text] = await copyOut(c, 'COPY (SELECT id, name, qty, price, tags FROM items WHERE id >= 100 ORDER BY id) TO STDOUT');
  out('copy', 'out text', n, JSON.stringify(text));
  const [m, csv] = await copyOut(c, 'COPY items (id, name, qty) TO STDOUT (FORMAT csv, HEADER true, FORCE_QUOTE (name))');
  const lines = csv.split('\n');
  out('copy', 'out csv', m, JSON.stringify(lines[0]), lines.length);
  const [k, sorted] = await copyOut(c, "COPY (SELECT id, name FROM items WHERE id BETWEEN 110 AND 112 ORDER BY id) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'NULL')");
  out('copy', 'out csv options', k, JSON.stringify(sorted));
  // A bulk load sent in odd-sized chunks that split rows, then read back.
  await c.query('CREATE TABLE bulk (id int4 PRIMARY KEY, name text, qty int4)');
  let input = '';
  for (let i = 1; i <= 20000; i++) input += i + '\tname ' + i + (i % 10 === 0 ? '\t\\N\n' : '\t' + (i % 97) + '\n');
  const data = Buffer.from(input);
  const chunks = [];
  for (let off = 0; off < data.length; off += 777) chunks.push(data.subarray(off, off + 777));
  const s = c.query(copyFrom('COPY bulk FROM STDIN'));
  await pipeline(Readable.from(chunks), s);
  out('copy', 'bulk in', s.rowCount, chunks.length, 'chunks');
  const agg = await c.query("SELECT count(*)::int AS n, sum(qty)::int AS q, count(qty)::int AS nn, md5(string_agg(name, ',' ORDER BY id)) AS h FROM bulk");
  out('copy', 'bulk check', show(Object.values(agg.rows[0])));
  const [bn, back] = await copyOut(c, 'COPY (SELECT * FROM bulk ORDER BY id) TO STDOUT');
  out('copy', 'bulk out', bn, back.length, back === input ? 'same as input' : 'differs from input');
  // Binary COPY both ways: PostgreSQL's header, tuples and trailer.
  const [rb, bin] = await copyOutRaw(c, "COPY (SELECT id, name, qty FROM bulk WHERE id IN (1, 10) ORDER BY id) TO STDOUT (FORMAT binary)");
  out('copy', 'out binary', rb, bin.toString('hex'));
  await c.query('CREATE TABLE bulk2 (id int4 PRIMARY KEY, name text, qty int4)');
  out('copy', 'in binary', await copyIn(c, 'COPY bulk2 FROM STDIN (FORMAT binary)', bin));
  out('copy', 'in binary rows', show((await c.query({ text: 'SELECT * FROM bulk2 ORDER BY id', rowMode: 'array' })).rows));
}

async function copyErrors(c) {
  // A bad row aborts the whole COPY with PostgreSQL's error and context
  // line; none of its rows stay.
  const bad = [
    ['bad int', 'COPY items (id, name, qty) FROM STDIN', '200\tok\t1\n201\tbad\tnotanumber\n202\tok\t3\n'],
    ['missing column', 'COPY items (id, name, qty) FROM STDIN', '200\tok\t1\n201\tshort\n'],
    ['extra column', 'COPY items (id, name) FROM STDIN (FORMAT csv)', '200,ok\n201,extra,column\n'],
    ['duplicate key', 'COPY items (id, name) FROM STDIN', '200\tok\n1\tdup\n'],
  ];
  for (const [what, sql, data] of bad) {
    try {
      await copyIn(c, sql, data);
      out('copyerr', what, 'accepted');
    } catch (e) {
      out('copyerr', what, errLine(e));
      out('copyerr', what, 'where', JSON.stringify(e.where));
    }
  }
  // The client gives up mid-COPY: pg-copy-streams sends CopyFail.
  const aborted = await new Promise((resolve) => {
    const s = c.query(copyFrom('COPY items (id, name) FROM STDIN'));
    s.on('error', resolve);
    s.on('finish', () => resolve(null));
    s.write('210\tsent before CopyFail\n', () => s.destroy(new Error('client gave up')));
  });
  out('copyerr', 'copyfail', aborted ? errLine(aborted) : 'accepted');
  if (aborted) out('copyerr', 'copyfail', 'where', JSON.stringify(aborted.where));
  const left = await c.query('SELECT count(*)::int AS n FROM items WHERE id >= 200');
  out('copyerr', 'rows left', left.rows[0].n);
  out('copyerr', 'usable', (await c.query('SELECT 1 AS one')).rows[0].one);
}

async function cancel(c) {
  const started = Date.now();
  const done = new Promise((resolve) => {
    const q = new Query('SELECT pg_sleep(10)', [], (err) => resolve(err));
    c.query(q);
    setTimeout(() => {
      const canceller = new Client(tls);
      canceller.connection.on('error', () => {});
      canceller.cancel(c, q);
    }, 300);
  });
  const err = await done;
  out('cancel', err ? errLine(err) : 'not cancelled', Date.now() - started < 5000 ? 'promptly' : 'late');
  out('cancel', 'after', (await c.query('SELECT 2 AS two')).rows[0].two);
  // pg_cancel_backend from another session, with the pid from BackendKeyData.
  const other = await connect(tls);
  try {
    const sleeping = c.query('SELECT pg_sleep(10)').then(() => 'not cancelled', errLine);
    await new Promise((r) => setTimeout(r, 300));
    const ok = (await other.query('SELECT pg_cancel_backend($1) AS ok', [c.processID])).rows[0].ok;
    out('cancel', 'pg_cancel_backend', ok, await sleeping);
    out('cancel', 'after pg_cancel_backend', (await c.query('SELECT 3 AS three')).rows[0].three);
    // pg_terminate_backend ends the other session's statement and connection.
    const victim = await connect(tls);
    victim.removeAllListeners('error');
    victim.on('error', () => {});
    const ended = new Promise((r) => victim.once('end', r));
    const killed = victim.query('SELECT pg_sleep(10)').then(() => 'not terminated', errLine);
    await new Promise((r) => setTimeout(r, 300));
    const tok = (await other.query('SELECT pg_terminate_backend($1) AS ok', [victim.processID])).rows[0].ok;
    out('cancel', 'pg_terminate_backend', tok, await killed);
    await ended;
    out('cancel', 'terminated connection closed');
    const missing = (await other.query('SELECT pg_cancel_backend(2147483647) AS ok')).rows[0].ok;
    out('cancel', 'pg_cancel_backend of no backend', missing);
  } finally {
    await other.end();
  }
  // idle_in_transaction_session_timeout given at start-up ends a session
  // left idle inside a block with FATAL 25P03.
  const idle = await connect({ ...tls, idle_in_transaction_session_timeout: 300 });
  idle.removeAllListeners('error');
  const ended = new Promise((r) => idle.once('error', r));
  await idle.query('BEGIN');
  const fatal = await Promise.race([ended, new Promise((r) => setTimeout(() => r(null), 5000).unref())]);
  out('cancel', 'idle_in_transaction', fatal ? errLine(fatal) : 'not terminated');
  idle.on('error', () => {});
  if (!fatal) await idle.end();
  // statement_timeout given at start-up ends a long statement with 57014.
  const t = await connect({ ...tls, statement_timeout: 200 });
  try {
    const r = await t.query('SELECT pg_sleep(5)').then(() => 'not cancelled', errLine);
    out('cancel', 'statement_timeout', r);
    out('cancel', 'statement_timeout after', (await t.query('SHOW statement_timeout')).rows[0].statement_timeout);
  } finally {
    await t.end();
  }
}

async function simple(c) {
  // Several statements in one simple Query: one result each.
  const rs = await c.query("SELECT 1 AS a; VALUES (2, 'b'), (3, 'c'); UPDATE items SET qty = qty WHERE id = 1; SELECT");
  out('simple', 'multi', rs.map((r) => r.command + ' ' + r.rowCount + ' ' + show(r.rows)).join(' | '));
  const empty = await c.query('');
  out('simple', 'empty', empty === undefined ? 'undefined' : show(empty.command) + ' ' + show(empty.rows));
  const big = await c.query('SELECT g, repeat(\'x\', g % 50) AS pad FROM generate_series(1, 30000) g');
  out('simple', 'rows', big.rowCount, big.rows.reduce((a, r) => a + r.g + r.pad.length, 0));
  const err = await c.query('SELECT 1; SELECT 1/0; SELECT 3').then(() => 'no error', errLine);
  out('simple', 'multi error', err, (await c.query('SELECT 4 AS four')).rows[0].four);
}

async function pool() {
  // A pool of three connections serving ten concurrent queries.
  const p = new Pool({ ...tls, max: 3 });
  try {
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => p.query({ name: 'pool_q', text: 'SELECT $1::int4 * 2 AS d, pg_sleep(0.05)', values: [i] })));
    out('pool', 'results', rs.map((r) => r.rows[0].d).join(','), 'connections', p.totalCount);
    const client = await p.connect();
    try {
      out('pool', 'checked out', (await client.query({ text: 'SELECT 7 AS s', queryMode: 'extended' })).rows[0].s);
    } finally {
      client.release();
    }
  } finally {
    await p.end();
  }
}

async function tx(c) {
  out('tx', (await c.query('BEGIN')).command);
  await c.query({ name: 'tx_ins', text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [300, 'in tx'] });
  const r1 = await c.query('SELECT 1 / 0').then(() => 'no error', errLine);
  out('tx', 'error', r1);
  const r2 = await c.query({ name: 'tx_ins', text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [301, 'ignored'] }).then(() => 'no error', errLine);
  out('tx', 'aborted', r2);
  const r3 = await c.query('SELECT 1').then(() => 'no error', errLine);
  out('tx', 'aborted simple', r3);
  out('tx', (await c.query('ROLLBACK')).command);
  out('tx', 'rows', (await c.query('SELECT count(*)::int AS n FROM items WHERE id >= 300')).rows[0].n);
  await c.query('BEGIN');
  await c.query('INSERT INTO items (id, name) VALUES (302, $1)', ['kept']);
  out('tx', (await c.query('COMMIT')).command);
  out('tx', 'ids', show((await c.query({ text: 'SELECT id FROM items WHERE id >= 300', rowMode: 'array' })).rows));
}

function fields(e) {
  return ['severity', 'code', 'message', 'detail', 'hint', 'position', 'schema', 'table', 'column', 'constraint', 'dataType']
    .filter((k) => e[k] !== undefined).map((k) => k + '=' + JSON.stringify(e[k])).join(' ');
}

async function errors(c) {
  const cases = [
    ['unique', { text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [400, 'one'] }],
    ['primary key', { name: 'err_pk', text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [1, 'new'] }],
    ['not null', 'INSERT INTO items (id) VALUES (401)'],
    ['syntax', 'SELECT id FROM items WHERE'],
    ['undefined column', 'SELECT id, nosuch FROM items'],
    ['undefined table', { text: 'SELECT * FROM nosuch WHERE id = $1', values: [1] }],
    ['bad parameter', { text: 'SELECT qty FROM items WHERE qty = $1', values: ['1.5'] }],
  ];
  for (const [what, q] of cases) {
    const e = await c.query(q).then(() => null, (x) => x);
    out('errors', what, e ? fields(e) : 'no error');
  }
  const notices = [];
  const onNotice = (n) => notices.push(n);
  c.on('notice', onNotice);
  await c.query('DROP TABLE IF EXISTS nosuch');
  await c.query('CREATE TABLE IF NOT EXISTS items (id int4)');
  c.removeListener('notice', onNotice);
  for (const n of notices) out('errors', 'notice', fields(n));
  out('errors', 'usable', (await c.query('SELECT count(*)::int AS n FROM items')).rows[0].n);
}

async function main() {
  const c = await connect(tls);
  await section('connect', connectTLS, c);
  await section('plain', plain, c);
  await section('ddl', ddl, c);
  await section('prepared', prepared, c);
  await section('binary', binary, c);
  if (VECTOR) await section('vector', vectors, c);
  await section('copy', copy, c);
  await section('copyerr', copyErrors, c);
  await section('cancel', cancel, c);
  await section('simple', simple, c);
  await section('pool', pool, c);
  await section('tx', tx, c);
  await section('errors', errors, c);
  await c.end();
  process.stdout.write('done\n');
}

main().catch((e) => {
  out('fatal', errLine(e));
  process.exitCode = 1;
});
