// D1 behaviour probe: run with bench/oracle.sh bench/oracle/d1 /run
async function attempt(fn) {
  try {
    const v = await fn();
    return { ok: scrub(v) };
  } catch (e) {
    // First lines only: miniflare appends its own stack to some messages.
    const first = (t) => String(t).split("\n")[0];
    return { err: first(`${e?.constructor?.name}: ${e?.message}`), cause: e?.cause ? first(e.cause.message ?? e.cause) : undefined };
  }
}
// Timings and file sizes differ from run to run: keep their type only. rows_read/rows_written
// come from workerd's patched SQLite counters and served_by names the implementation.
function scrub(v) {
  if (Array.isArray(v)) return v.map(scrub);
  if (v && typeof v === "object" && !(v instanceof ArrayBuffer)) {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (["duration", "size_after", "sql_duration_ms", "rows_read", "rows_written", "served_by"].includes(k)) out[k] = typeof x;
      else if (k === "timings") out[k] = scrub(x);
      else out[k] = scrub(x);
    }
    return out;
  }
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined) return "undefined";
  return v;
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/run") return new Response("ok");
    const db = env.DB, r = {};
    r.toString = Object.prototype.toString.call(db);
    // Underscored members are miniflare's internals, not API.
    r.protoKeys = Object.getOwnPropertyNames(Object.getPrototypeOf(db)).filter((k) => !k.startsWith("_"));
    r.create = await attempt(() => db.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, data BLOB, big INTEGER)"));
    r.createRun = await attempt(() => db.prepare("CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id), tag TEXT)").run());
    r.insert = await attempt(() => db.prepare("INSERT INTO items (name, price, data, big) VALUES (?, ?, ?, ?)").bind("apple", 1.5, new Uint8Array([1, 2, 255]), 9007199254740993n).run());
    r.insertNumBig = await attempt(() => db.prepare("INSERT INTO items (name, big) VALUES (?, ?)").bind("big", 9007199254740993).run());
    r.insertSqlBig = await attempt(() => db.prepare("INSERT INTO items (name, big) VALUES ('sqlbig', 9007199254740993)").run());
    r.insert2 = await attempt(() => db.prepare("INSERT INTO items (name, price) VALUES (?1, ?2)").bind("pear", 2).run());
    r.insertBool = await attempt(() => db.prepare("INSERT INTO items (name, price) VALUES (?, ?)").bind("bool", true).run());
    r.insertAb = await attempt(() => db.prepare("INSERT INTO items (name, data) VALUES (?, ?)").bind("ab", new ArrayBuffer(2)).run());
    r.bindUndefined = await attempt(() => db.prepare("SELECT ?").bind(undefined).all());
    r.bindObject = await attempt(() => db.prepare("SELECT ?").bind({ a: 1 }).all());
    r.bindBigint = await attempt(() => db.prepare("SELECT ? AS v").bind(5n).all());
    r.bindArray = await attempt(() => db.prepare("SELECT ? AS v").bind([1, 2]).all());
    r.all = await attempt(() => db.prepare("SELECT * FROM items ORDER BY id").all());
    r.first = await attempt(() => db.prepare("SELECT * FROM items WHERE name = ?").bind("apple").first());
    r.firstCol = await attempt(() => db.prepare("SELECT name, price FROM items WHERE id = 1").first("price"));
    r.firstMissingCol = await attempt(() => db.prepare("SELECT name FROM items WHERE id = 1").first("nope"));
    r.firstNone = await attempt(() => db.prepare("SELECT * FROM items WHERE id = -1").first());
    r.raw = await attempt(() => db.prepare("SELECT id, name FROM items ORDER BY id LIMIT 2").raw());
    r.rawCols = await attempt(() => db.prepare("SELECT id, name FROM items ORDER BY id LIMIT 2").raw({ columnNames: true }));
    r.dupCols = await attempt(() => db.prepare("SELECT 1 AS a, 2 AS a, 3 AS b").all());
    r.rawDup = await attempt(() => db.prepare("SELECT 1 AS a, 2 AS a").raw());
    r.update = await attempt(() => db.prepare("UPDATE items SET price = price * 2 WHERE price IS NOT NULL").run());
    r.selectRun = await attempt(() => db.prepare("SELECT id FROM items").run());
    r.types = await attempt(() => db.prepare("SELECT 1 AS i, 1.5 AS f, 'x' AS s, NULL AS n, x'00ff' AS b, 9223372036854775807 AS maxint").all());
    r.syntax = await attempt(() => db.prepare("SELEC 1").all());
    r.noTable = await attempt(() => db.prepare("SELECT * FROM nope").all());
    r.constraint = await attempt(() => db.prepare("INSERT INTO items (id, name) VALUES (1, 'dup')").run());
    r.notNull = await attempt(() => db.prepare("INSERT INTO items (name) VALUES (NULL)").run());
    r.foreignKey = await attempt(() => db.prepare("INSERT INTO tags (item_id, tag) VALUES (999, 'x')").run());
    r.attach = await attempt(() => db.prepare("ATTACH DATABASE 'x.db' AS x").run());
    r.pragmaBad = await attempt(() => db.prepare("PRAGMA journal_mode = DELETE").run());
    r.pragmaOk = await attempt(() => db.prepare("PRAGMA table_list").all());
    r.pragmaFk = await attempt(() => db.prepare("PRAGMA foreign_keys").all());
    r.pragmaTableInfo = await attempt(() => db.prepare("PRAGMA table_info(items)").raw());
    r.loadExt = await attempt(() => db.prepare("SELECT load_extension('x')").all());
    r.sqliteVersion = await attempt(() => db.prepare("SELECT sqlite_version() AS v").all());
    r.begin = await attempt(() => db.prepare("BEGIN TRANSACTION").run());
    r.multiStmt = await attempt(() => db.prepare("SELECT 1; SELECT 2").all());
    r.emptyStmt = await attempt(() => db.prepare("").all());
    r.commentOnly = await attempt(() => db.prepare("-- nothing").all());
    r.tooManyParams = await attempt(() => db.prepare("SELECT " + Array.from({ length: 101 }, () => "?").join(",")).bind(...Array.from({ length: 101 }, (_, i) => i)).all());
    r.sqlTooLong = await attempt(() => db.prepare("SELECT '" + "x".repeat(100_000) + "' AS s").first("s").then((s) => s.length));
    r.sqlAtLimit = await attempt(() => db.prepare("SELECT '" + "x".repeat(99_000) + "' AS s").first("s").then((s) => s.length));
    r.wrongParamCount = await attempt(() => db.prepare("SELECT ?, ?").bind(1).all());
    r.batch = await attempt(() => db.batch([
      db.prepare("INSERT INTO items (name) VALUES (?)").bind("b1"),
      db.prepare("SELECT count(*) AS c FROM items"),
    ]));
    r.batchFail = await attempt(() => db.batch([
      db.prepare("INSERT INTO items (name) VALUES (?)").bind("should-rollback"),
      db.prepare("INSERT INTO nope VALUES (1)"),
    ]));
    r.afterBatchFail = await attempt(() => db.prepare("SELECT count(*) AS c FROM items WHERE name = 'should-rollback'").first("c"));
    r.batchEmpty = await attempt(() => db.batch([]));
    r.batchNotStmt = await attempt(() => db.batch(["SELECT 1"]));
    r.exec = await attempt(() => db.exec("INSERT INTO items (name) VALUES ('e1');\nINSERT INTO items (name) VALUES ('e2')"));
    r.execOneLineTwo = await attempt(() => db.exec("INSERT INTO items (name) VALUES ('e3'); INSERT INTO items (name) VALUES ('e4')"));
    r.execError = await attempt(() => db.exec("INSERT INTO items (name) VALUES ('e5');\nSELEC 1"));
    r.execEmpty = await attempt(() => db.exec(""));
    r.count = await attempt(() => db.prepare("SELECT count(*) AS c FROM items").first("c"));
    r.session = await attempt(async () => { const s = db.withSession(); const a = await s.prepare("SELECT 1 AS x").first(); return [typeof s.getBookmark(), a]; });
    r.sessionPrimary = await attempt(async () => { const s = db.withSession("first-primary"); await s.prepare("SELECT 1").all(); return typeof s.getBookmark(); });
    r.sessionKeys = Object.getOwnPropertyNames(Object.getPrototypeOf(db.withSession())).filter((k) => !k.startsWith("_"));
    r.stmtKeys = Object.getOwnPropertyNames(Object.getPrototypeOf(db.prepare("SELECT 1")));
    r.stmtProps = await attempt(() => { const s = db.prepare("SELECT ?").bind(1); return [s.statement, s.params]; });
    r.prepareNoArg = await attempt(() => db.prepare().all());
    r.json = await attempt(() => db.prepare("SELECT json_object('a', 1) AS j").first("j"));
    r.returning = await attempt(() => db.prepare("INSERT INTO items (name) VALUES ('ret') RETURNING id, name").all());
    // A NUL ends SQL text for SQLite; D1 refuses what is left (this once wedged Flint's database).
    r.nulBetween = await attempt(() => db.prepare("SELECT 1\0; SELECT 2").all());
    r.nulFirst = await attempt(() => db.prepare("\0SELECT 1").all());
    r.nulLast = await attempt(() => db.prepare("SELECT 1 AS a;\0").all());
    r.nulInString = await attempt(() => db.prepare("SELECT 'a\0b' AS a").all());
    r.nulBatch = await attempt(() => db.batch([db.prepare("SELECT 1\0; SELECT 2")]));
    r.nulExec = await attempt(() => db.exec("SELECT 1\0; SELECT 2"));
    r.afterNul = await attempt(() => db.prepare("SELECT 2 AS two").first());
    r.blob1MB = await attempt(() => db.prepare("SELECT length(?) AS n").bind(new Uint8Array(1_000_000)).first("n"));
    r.blob10MB = await attempt(() => db.prepare("SELECT length(?) AS n").bind(new Uint8Array(10 * 1024 * 1024)).first("n"));
    r.string10MB = await attempt(() => db.prepare("SELECT length(?) AS n").bind("x".repeat(10 * 1024 * 1024)).first("n"));
    return Response.json(r);
  },
};
