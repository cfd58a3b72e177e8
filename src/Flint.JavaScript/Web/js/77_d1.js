// D1: the database a Worker sees as env.NAME. The classes and their behaviour follow the D1
// binding Cloudflare ships in workerd (what wrangler dev runs): statements are built and bound
// here, sent to the host as one query or one batch, and shaped here (objects, raw rows, first()).
// Errors are Error("D1_ERROR: …"), Error("D1_TYPE_ERROR: …"), Error("D1_EXEC_ERROR: …") with
// the bare message as their cause.

const D1_FIRST_PRIMARY = "first-primary";
// D1's limit on a string or blob (the host's SQLite refuses longer ones with this error). A value
// over it is not converted for the crossing at all: a 10 MB blob as JSON would fill the isolate.
const D1_MAX_VALUE_BYTES = 2_000_000;
const D1_TOO_BIG = "string or blob too big: SQLITE_TOOBIG";
const d1TooBig = Object.freeze({ tooBig: true });
const D1_FIRST_UNCONSTRAINED = "first-unconstrained";

function d1Error(prefix, message) {
  return new Error(`${prefix}: ${message}`, { cause: new Error(message) });
}

/** Sends queries to the host; resolves to the per-query answers, or rejects with D1_ERROR. */
async function d1Send(fetcher, queries, format, session) {
  if (queries.some((q) => Array.isArray(q.params) && q.params.includes(d1TooBig))) return { failure: D1_TOO_BIG };
  let answer;
  try {
    const reply = await callBinding(fetcher.index, "query", JSON.stringify({ queries, format }));
    answer = JSON.parse(reply.text);
  } catch (e) {
    const message = e?.cause?.message || e?.message || "Something went wrong";
    throw d1Error("D1_ERROR", message);
  }
  if (answer.error !== undefined) return { failure: answer.error };
  if (session !== null && typeof answer.bookmark === "string") session._updateBookmark(answer.bookmark);
  return { results: answer.results };
}

function d1ToObjects(result) {
  const results = result.results;
  if (results === undefined) return { ...result, results: [] };
  if (Array.isArray(results)) return { ...result, results };
  const { columns, rows } = results;
  return { ...result, results: rows.map((row) => Object.fromEntries(row.map((cell, i) => [columns[i], cell]))) };
}

// Bound values: numbers and strings as they are, booleans as 1/0, null, and bytes (arrays of
// bytes, ArrayBuffers and views) as blobs. Anything else is D1_TYPE_ERROR.
function d1BindValue(value) {
  const type = typeof value;
  if (type === "number") return value;
  // A string of more UTF-16 units than the limit has more UTF-8 bytes than it too.
  if (type === "string") return value.length > D1_MAX_VALUE_BYTES ? d1TooBig : value;
  if (type === "boolean") return value ? 1 : 0;
  if (type === "object") {
    if (value === null) return null;
    if (Array.isArray(value) && value.every((b) => typeof b === "number" && b >= 0 && b < 256)) return value.length > D1_MAX_VALUE_BYTES ? d1TooBig : value;
    if (value instanceof ArrayBuffer) return value.byteLength > D1_MAX_VALUE_BYTES ? d1TooBig : Array.from(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return value.byteLength > D1_MAX_VALUE_BYTES ? d1TooBig : Array.from(value);
  }
  throw d1Error("D1_TYPE_ERROR", `Type '${type}' not supported for value '${value}'`);
}

class WrappedBinding {}
Object.defineProperty(WrappedBinding.prototype, Symbol.toStringTag, { value: "WrappedBinding", configurable: true });

class D1Database extends WrappedBinding {
  constructor(fetcher) {
    super();
    this.fetcher = fetcher;
    this.alwaysPrimarySession = new D1DatabaseSessionAlwaysPrimary(fetcher);
  }
  prepare(query) { return new D1PreparedStatement(this.alwaysPrimarySession, query); }
  async batch(statements) { return this.alwaysPrimarySession.batch(statements); }
  async exec(query) { return this.alwaysPrimarySession.exec(query); }
  withSession(constraintOrBookmark) {
    constraintOrBookmark = constraintOrBookmark?.trim();
    if (constraintOrBookmark == null || constraintOrBookmark === "") constraintOrBookmark = D1_FIRST_UNCONSTRAINED;
    return new D1DatabaseSession(this.fetcher, constraintOrBookmark);
  }
  async query() {
    throw new Error("D1_ERROR: D1Database.query() requires the d1_binding_jsrpc compatibility flag. Enable d1_binding_jsrpc before calling query().");
  }
  async dump() { return this.alwaysPrimarySession.dump(); }
}

class D1DatabaseSession {
  constructor(fetcher, bookmarkOrConstraint) {
    this.fetcher = fetcher;
    if (bookmarkOrConstraint == null) this.bookmarkOrConstraint = null;
    else {
      this.bookmarkOrConstraint = bookmarkOrConstraint.trim();
      if (!this.bookmarkOrConstraint) throw new Error("D1_SESSION_ERROR: invalid bookmark or constraint");
    }
  }
  /** Keeps the newest bookmark seen; bookmarks compare as strings. */
  _updateBookmark(newBookmark) {
    newBookmark = newBookmark.trim();
    if (!newBookmark) return this.getBookmark();
    const current = this.getBookmark();
    if (current === null || current.localeCompare(newBookmark) < 0) this.bookmarkOrConstraint = newBookmark;
    return this.getBookmark();
  }
  prepare(sql) { return new D1PreparedStatement(this, sql); }
  async batch(statements) {
    const queries = statements.map((s) => ({ sql: s.statement, params: s.params }));
    const results = await this._sendOrThrow(queries, "ROWS_AND_COLUMNS");
    return results.map(d1ToObjects);
  }
  getBookmark() {
    switch (this.bookmarkOrConstraint) {
      case D1_FIRST_UNCONSTRAINED: case D1_FIRST_PRIMARY: return null;
      default: return this.bookmarkOrConstraint;
    }
  }
  async _sendOrThrow(queries, format) {
    const sent = await d1Send(this.fetcher, queries, format, this);
    if (sent.failure !== undefined) throw d1Error("D1_ERROR", sent.failure);
    return sent.results;
  }
}

class D1DatabaseSessionAlwaysPrimary extends D1DatabaseSession {
  constructor(fetcher) { super(fetcher, null); }
  _updateBookmark() { return null; }
  getBookmark() { return null; }
  /** Runs each line of `query` as a statement, all in one transaction; { count, duration }. */
  async exec(query) {
    const lines = String(query).trim().split("\n");
    const sent = await d1Send(this.fetcher, lines.map((sql) => ({ sql, params: [] })), "NONE", this);
    if (sent.failure !== undefined) {
      // D1 reports the first line whatever line failed: its answer carries no line number.
      const message = `Error in line 1: ${lines[0]}: ${sent.failure}`;
      throw d1Error("D1_EXEC_ERROR", message);
    }
    let duration = 0;
    for (const r of sent.results) duration += r.meta.duration;
    return { count: sent.results.length, duration };
  }
  async dump() {
    // D1's dump() belongs to its retired alpha; like wrangler dev, there is nothing to dump.
    throw new Error("D1_DUMP_ERROR: Status + 404", { cause: new Error("Status 404") });
  }
}

class D1PreparedStatement {
  constructor(dbSession, statement, values) {
    this.dbSession = dbSession;
    this.statement = statement;
    this.params = values || [];
  }
  bind(...values) {
    return new D1PreparedStatement(this.dbSession, this.statement, values.map(d1BindValue));
  }
  async first(colName) {
    const [info] = await this.dbSession._sendOrThrow([{ sql: this.statement, params: this.params }], "ROWS_AND_COLUMNS");
    const results = d1ToObjects(info).results;
    if (results.length === 0) return null;
    const row = results[0];
    if (colName !== undefined) {
      if (row[colName] === undefined) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`, { cause: new Error("Column not found") });
      return row[colName];
    }
    return row;
  }
  async run() {
    const [result] = await this.dbSession._sendOrThrow([{ sql: this.statement, params: this.params }], "NONE");
    return result;
  }
  async all() {
    const [result] = await this.dbSession._sendOrThrow([{ sql: this.statement, params: this.params }], "ROWS_AND_COLUMNS");
    return d1ToObjects(result);
  }
  async raw(options) {
    const [s] = await this.dbSession._sendOrThrow([{ sql: this.statement, params: this.params }], "ROWS_AND_COLUMNS");
    if (!("results" in s)) return [];
    return [...(options?.columnNames ? [s.results.columns] : []), ...s.results.rows];
  }
}

registerBindingKind("d1", (descriptor) => new D1Database({ index: descriptor.index }));
