import { DurableObject } from "cloudflare:workers";

// Each case answers ["ok", value] or ["err", name, message, constructor, extra].
function show(v) {
  if (v instanceof Map) return ["Map", [...v].map(([k, x]) => [k, show(x)])];
  if (v instanceof Date) return ["Date", v.getTime()];
  if (v instanceof Set) return ["Set", [...v]];
  if (typeof v === "bigint") return ["bigint", String(v)];
  if (v instanceof ArrayBuffer) return ["ArrayBuffer", [...new Uint8Array(v)]];
  if (ArrayBuffer.isView(v)) return [v.constructor.name, [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]];
  if (v === undefined) return ["undefined"];
  if (typeof v === "function") return ["function"];
  if (Array.isArray(v)) return v.map(show);
  if (typeof v === "object" && v !== null) {
    const tag = Object.prototype.toString.call(v);
    if (tag !== "[object Object]") return [tag];
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)]));
  }
  return v;
}
async function t(f) {
  try { return ["ok", show(await f())]; }
  catch (e) { return ["err", e?.name, e?.message, e?.constructor?.name, { remote: e?.remote, retryable: e?.retryable, overloaded: e?.overloaded, durableObjectReset: e?.durableObjectReset }]; }
}

async function storageCases(ctx, sqlite) {
  const s = ctx.storage;
  const o = {};
  o.getMissing = await t(() => s.get("missing"));
  o.putGet = await t(async () => { await s.put("a", "x"); return s.get("a"); });
  o.putTypes = await t(async () => { await s.put("types", { d: new Date(5), m: new Map([[1, 2]]), set: new Set([3]), big: 10n, u8: new Uint8Array([1, 2]), re: /a/g, n: null, u: undefined, nested: [1, { x: 2 }] }); return s.get("types"); });
  o.putUndefined = await t(() => s.put("u", undefined));
  o.putFunction = await t(() => s.put("f", () => 1));
  o.putSymbol = await t(() => s.put("sym", Symbol("x")));
  o.putClass = await t(async () => { class C { constructor() { this.a = 1; } get g() { return 2; } } await s.put("cls", new C()); const v = await s.get("cls"); return [v.a, v.g, v.constructor === Object]; });
  o.putNoValue = await t(() => s.put("onlykey"));
  o.putNoArgs = await t(() => s.put());
  o.getNoArgs = await t(() => s.get());
  o.getNumberKey = await t(async () => { await s.put(5, "five"); return [await s.get(5), await s.get("5")]; });
  o.keyEmpty = await t(async () => { await s.put("", "empty"); return s.get(""); });
  o.key2048 = await t(async () => { await s.put("k".repeat(2048), 1); return s.get("k".repeat(2048)); });
  o.key2049 = await t(() => s.put("k".repeat(2049), 1));
  o.getKey2049 = await t(() => s.get("k".repeat(2049)));
  o.deleteKey2049 = await t(() => s.delete("k".repeat(2049)));
  o.keyUnicode2049 = await t(() => s.put("é".repeat(1025), 1));
  o.value128k = await t(async () => { await s.put("v128", "x".repeat(128 * 1024 - 100)); return (await s.get("v128")).length; });
  o.value131072 = await t(() => s.put("vbig", new Uint8Array(131072)));
  o.value200k = await t(() => s.put("vbig", "x".repeat(200 * 1024)));
  o.value2mb = await t(() => s.put("vbig", new Uint8Array(2 * 1024 * 1024 + 10)));
  o.putEntries = await t(async () => { await s.put({ e1: 1, e2: "two", e3: [3] }); return s.get(["e1", "e2", "e3", "nope"]); });
  o.putEntries129 = await t(() => { const e = {}; for (let i = 0; i < 129; i++) e["p" + i] = i; return s.put(e); });
  o.putEntries128 = await t(async () => { const e = {}; for (let i = 0; i < 128; i++) e["q" + i] = i; await s.put(e); return (await s.get(Object.keys(e))).size; });
  o.get129 = await t(() => s.get(Array.from({ length: 129 }, (_, i) => "x" + i)));
  o.getEmptyArray = await t(() => s.get([]));
  o.getDupKeys = await t(() => s.get(["a", "a", "e1"]));
  o.delete = await t(async () => [await s.delete("a"), await s.delete("a")]);
  o.deleteMany = await t(async () => s.delete(["e1", "e2", "zz"]));
  o.delete129 = await t(() => s.delete(Array.from({ length: 129 }, (_, i) => "x" + i)));
  o.putEntriesWithValueArg = await t(() => s.put({ a: 1 }, 2));
  // list
  await s.deleteAll();
  for (const k of ["b", "a", "c", "aa", "ab", "b1", "é", "Z"]) await s.put(k, k.toUpperCase());
  o.listAll = await t(() => s.list());
  o.listPrefix = await t(() => s.list({ prefix: "a" }));
  o.listStartEnd = await t(() => s.list({ start: "aa", end: "b1" }));
  o.listStartAfter = await t(() => s.list({ startAfter: "aa" }));
  o.listReverseLimit = await t(() => s.list({ reverse: true, limit: 3 }));
  o.listLimit0 = await t(() => s.list({ limit: 0 }));
  o.listLimitNeg = await t(() => s.list({ limit: -1 }));
  o.listLimitStr = await t(() => s.list({ limit: "2" }));
  o.listStartAndStartAfter = await t(() => s.list({ start: "a", startAfter: "b" }));
  o.listBadOpt = await t(() => s.list({ prefix: 5 }));
  o.listNotObject = await t(() => s.list("x"));
  o.listPrefixStart = await t(() => s.list({ prefix: "a", start: "ab" }));
  o.listAllowConcurrency = await t(() => s.list({ allowConcurrency: true, noCache: true }));
  o.getOptions = await t(() => s.get("a", { allowConcurrency: true, noCache: true }));
  o.putOptions = await t(async () => { await s.put("opt", 1, { allowUnconfirmed: true, noCache: true }); return s.get("opt"); });
  o.getBadOptions = await t(() => s.get("a", 5));
  // transactions
  o.txCommit = await t(async () => { const r = await s.transaction(async (tx) => { await tx.put("tx1", 1); return "done"; }); return [r, await s.get("tx1")]; });
  o.txRollbackThrow = await t(async () => { try { await s.transaction(async (tx) => { await tx.put("tx2", 2); throw new RangeError("boom"); }); } catch (e) { return [e.name, e.message, await s.get("tx2")]; } });
  o.txExplicitRollback = await t(async () => { await s.transaction(async (tx) => { await tx.put("tx3", 3); tx.rollback(); }); return s.get("tx3"); });
  o.txMethods = await t(() => s.transaction(async (tx) => Object.getOwnPropertyNames(Object.getPrototypeOf(tx)).sort()));
  o.txSync = await t(() => s.transactionSync(() => 42));
  o.txSyncThrow = await t(() => s.transactionSync(() => { throw new TypeError("sync boom"); }));
  o.txSyncAsync = await t(() => s.transactionSync(async () => 1));
  o.sync = await t(() => s.sync());
  o.deleteAll = await t(async () => { const r = await s.deleteAll(); return [r, (await s.list()).size]; });
  o.storageProto = await t(() => Object.getOwnPropertyNames(Object.getPrototypeOf(s)).sort());
  o.storageTag = await t(() => Object.prototype.toString.call(s));
  // alarms
  o.getAlarm = await t(() => s.getAlarm());
  o.setAlarmBad = await t(() => s.setAlarm("soon"));
  o.setAlarmNaN = await t(() => s.setAlarm(NaN));
  o.setAlarm = await t(async () => { await s.setAlarm(Date.now() + 3600_000); return typeof await s.getAlarm(); });
  o.setAlarmDate = await t(async () => { await s.setAlarm(new Date(4102444800000)); return s.getAlarm(); });
  o.deleteAlarm = await t(async () => { await s.deleteAlarm(); return s.getAlarm(); });
  o.setAlarmPast = await t(async () => { await s.setAlarm(0); const a = await s.getAlarm(); await s.deleteAlarm(); return a; });
  o.setAlarmNoArg = await t(() => s.setAlarm());
  // sql
  o.sqlType = await t(() => typeof s.sql);
  if (sqlite) {
    const sql = s.sql;
    o.sqlTag = Object.prototype.toString.call(sql);
    o.sqlProto = Object.getOwnPropertyNames(Object.getPrototypeOf(sql)).sort();
    o.create = await t(() => { const c = sql.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)"); return [c.columnNames, c.rowsRead, c.rowsWritten, c.toArray()]; });
    o.insert = await t(() => { const c = sql.exec("INSERT INTO t (name, score, data) VALUES (?, ?, ?), (?, ?, ?)", "a", 1.5, new Uint8Array([1, 2]), "b", 2, null); return [c.toArray(), c.rowsRead, c.rowsWritten]; });
    o.select = await t(() => { const c = sql.exec("SELECT * FROM t ORDER BY id"); return [c.columnNames, c.toArray(), c.rowsRead, c.rowsWritten]; });
    o.cursorProto = await t(() => Object.getOwnPropertyNames(Object.getPrototypeOf(sql.exec("SELECT 1"))).sort());
    o.cursorTag = await t(() => Object.prototype.toString.call(sql.exec("SELECT 1")));
    o.raw = await t(() => [...sql.exec("SELECT id, name FROM t ORDER BY id").raw()]);
    o.rawToArray = await t(() => sql.exec("SELECT id, name FROM t ORDER BY id").raw().toArray());
    o.next = await t(() => { const c = sql.exec("SELECT id FROM t ORDER BY id"); return [c.next(), c.next(), c.next(), c.next()]; });
    o.iterate = await t(() => { const out = []; for (const r of sql.exec("SELECT name FROM t ORDER BY id")) out.push(r); return out; });
    o.oneOk = await t(() => sql.exec("SELECT name FROM t WHERE id = 1").one());
    o.oneNone = await t(() => sql.exec("SELECT name FROM t WHERE id = 99").one());
    o.oneMany = await t(() => sql.exec("SELECT name FROM t").one());
    o.rowsReadAfter = await t(() => { const c = sql.exec("SELECT * FROM t"); const before = [c.rowsRead]; c.toArray(); return [before, c.rowsRead]; });
    o.toArrayTwice = await t(() => { const c = sql.exec("SELECT id FROM t ORDER BY id"); return [c.toArray(), c.toArray()]; });
    o.dupColumns = await t(() => { const c = sql.exec("SELECT 1 AS x, 2 AS x"); return [c.columnNames, c.raw().toArray()]; });
    o.dupColumnsObj = await t(() => sql.exec("SELECT 1 AS x, 2 AS x").toArray());
    o.multi = await t(() => sql.exec("INSERT INTO t (name) VALUES ('c'); SELECT count(*) AS n FROM t").toArray());
    o.multiBindings = await t(() => sql.exec("SELECT ?; SELECT ?", 1, 2).toArray());
    o.tooFewBindings = await t(() => sql.exec("SELECT ?, ?", 1).toArray());
    o.tooManyBindings = await t(() => sql.exec("SELECT ?", 1, 2).toArray());
    o.bindBool = await t(() => sql.exec("SELECT ? AS v", true).toArray());
    o.bindObject = await t(() => sql.exec("SELECT ? AS v", { a: 1 }).toArray());
    o.bindUndefined = await t(() => sql.exec("SELECT ? AS v", undefined).toArray());
    o.bindBigint = await t(() => sql.exec("SELECT ? AS v", 5n).toArray());
    o.bindArrayBuffer = await t(() => sql.exec("SELECT ? AS v", new Uint8Array([9]).buffer).toArray());
    o.bigInt = await t(() => sql.exec("SELECT 9007199254740993 AS v").toArray());
    o.syntax = await t(() => sql.exec("SELEC 1"));
    o.noTable = await t(() => sql.exec("SELECT * FROM nope"));
    o.begin = await t(() => sql.exec("BEGIN TRANSACTION"));
    o.savepoint = await t(() => sql.exec("SAVEPOINT x"));
    o.commit = await t(() => sql.exec("COMMIT"));
    o.cfKv = await t(async () => { await s.put("kvkey", "v"); return sql.exec("SELECT * FROM _cf_KV").toArray(); });
    o.cfCreate = await t(() => sql.exec("CREATE TABLE _cf_mine (x)"));
    o.attach = await t(() => sql.exec("ATTACH DATABASE 'x.db' AS x"));
    o.pragmaOk = await t(() => sql.exec("PRAGMA table_list").toArray().map((r) => r.name).sort());
    o.pragmaBad = await t(() => sql.exec("PRAGMA journal_mode"));
    o.pragmaTableInfo = await t(() => sql.exec("PRAGMA table_info(t)").toArray().length);
    o.empty = await t(() => sql.exec(""));
    o.comment = await t(() => sql.exec("-- nothing").toArray());
    o.constraint = await t(() => { sql.exec("CREATE TABLE u (x UNIQUE)"); sql.exec("INSERT INTO u VALUES (1)"); return sql.exec("INSERT INTO u VALUES (1)"); });
    o.databaseSize = await t(() => typeof sql.databaseSize);
    o.execNoArgs = await t(() => sql.exec());
    o.lastRowid = await t(() => sql.exec("INSERT INTO t (name) VALUES ('z') RETURNING id").one());
    o.txSyncSql = await t(() => { try { s.transactionSync(() => { sql.exec("INSERT INTO t (name) VALUES ('rolled')"); throw new Error("x"); }); } catch (e) { } return sql.exec("SELECT count(*) AS n FROM t WHERE name = 'rolled'").one(); });
    o.txSyncNested = await t(() => s.transactionSync(() => s.transactionSync(() => "inner")));
    o.kvInSql = await t(async () => { await s.put("kv2", { a: 1 }); return sql.exec("SELECT key, typeof(value) AS t FROM _cf_KV WHERE key = 'kv2'").toArray(); });
    o.sqlAfterDeleteAll = await t(async () => { await s.deleteAll(); return sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(); });
    o.bookmark = await t(() => s.getCurrentBookmark());
    o.bookmarkForTime = await t(async () => typeof await s.getBookmarkForTime(Date.now() - 1000));
    o.jsonFn = await t(() => sql.exec("SELECT json_object('a', 1) AS j").one());
    o.realInt = await t(() => sql.exec("SELECT 1.0 AS r, 2 AS i, typeof(1.0) AS tr").one());
  }
  return o;
}

export class SqlObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.field = "f";
  }
  async storage() { return storageCases(this.ctx, true); }
  hello(x) { return `hello ${x}`; }
  get prop() { return "getter"; }
  throwType() { throw new TypeError("bad type"); }
  throwCustom() { class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } } throw new MyError("custom"); }
  async ctxInfo() {
    const c = this.ctx;
    return {
      idString: c.id.toString().length, idName: String(c.id.name), ctxTag: Object.prototype.toString.call(c),
      ctxProto: Object.getOwnPropertyNames(Object.getPrototypeOf(c)).sort(),
      idProto: Object.getOwnPropertyNames(Object.getPrototypeOf(c.id)).sort(),
      bcw: await c.blockConcurrencyWhile(async () => "bcw value"),
      bcwSync: await c.blockConcurrencyWhile(() => "sync value"),
      waitUntil: typeof c.waitUntil,
      getWebSockets: c.getWebSockets().length,
      abortType: typeof c.abort,
      props: show(c.props),
    };
  }
  async bcwThrow() { return t(() => this.ctx.blockConcurrencyWhile(async () => { throw new RangeError("in bcw"); })); }
  async abortMe() { this.ctx.abort("stop now"); return "after abort"; }
  sqlTypes() {
    const sql = this.ctx.storage.sql;
    return sql.exec("SELECT typeof(?) AS a, typeof(?) AS b, typeof(?) AS c, typeof(?) AS d, ? AS e", 2, 2.5, "s", new Uint8Array([1]), -0).one();
  }
  async alarm() { }
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/throw") throw new RangeError("thrown in fetch");
    return new Response(`fetched ${request.method} ${url.pathname} ${request.headers.get("x-h")} ${await request.text()}`, { status: 201, headers: { "x-do": "yes" } });
  }
}

export class KvObject extends DurableObject {
  async storage() { return storageCases(this.ctx, false); }
  async sqlAccess() { return t(() => this.ctx.storage.sql); }
  async setAlarmNoHandler() { return t(() => this.ctx.storage.setAlarm(Date.now() + 100000)); }
}

export class OldStyle {
  constructor(state, env) { this.state = state; this.env = env; }
  async fetch(request) {
    const n = ((await this.state.storage.get("n")) ?? 0) + 1;
    await this.state.storage.put("n", n);
    return new Response(`old ${n} ${typeof this.env.SQL}`);
  }
  rpcMethod() { return "rpc on old style"; }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/storage-sql") return Response.json(await env.SQL.get(env.SQL.idFromName("storage")).storage());
    if (url.pathname === "/storage-kv") return Response.json(await env.KV.get(env.KV.idFromName("storage")).storage());
    const o = {};
    const ns = env.SQL;
    o.nsTag = Object.prototype.toString.call(ns);
    o.nsProto = Object.getOwnPropertyNames(Object.getPrototypeOf(ns)).sort();
    const a = ns.idFromName("a");
    o.idTag = Object.prototype.toString.call(a);
    o.idLen = a.toString().length;
    o.idHex = /^[0-9a-f]{64}$/.test(a.toString());
    o.idName = a.name;
    o.idStable = ns.idFromName("a").toString() === a.toString();
    o.idEquals = [a.equals(ns.idFromName("a")), a.equals(ns.idFromName("b"))];
    o.idJson = JSON.stringify(a) === JSON.stringify(a.toString());
    o.idFromNameOtherNs = env.KV.idFromName("a").toString() === a.toString();
    o.idFromNameNoArg = await t(() => ns.idFromName());
    o.idFromNameNumber = await t(() => ns.idFromName(5).name);
    const u = ns.newUniqueId();
    o.uniqueLen = u.toString().length;
    o.uniqueName = String(u.name);
    o.uniqueDiffer = ns.newUniqueId().toString() !== u.toString();
    o.fromString = await t(() => { const id = ns.idFromString(a.toString()); return [id.equals(a), String(id.name)]; });
    o.fromStringUpper = await t(() => ns.idFromString(a.toString().toUpperCase()).toString() === a.toString());
    o.fromStringShort = await t(() => ns.idFromString("abc"));
    o.fromStringNotHex = await t(() => ns.idFromString("z".repeat(64)));
    o.fromStringOtherNs = await t(() => ns.idFromString(env.KV.idFromName("a").toString()));
    o.fromStringTampered = await t(() => { const s = a.toString(); return ns.idFromString(s.slice(0, 63) + (s[63] === "0" ? "1" : "0")); });
    o.fromStringNoArg = await t(() => ns.idFromString());
    o.uniqueEu = await t(() => { const id = ns.newUniqueId({ jurisdiction: "eu" }); return [id.toString().length, String(id.jurisdiction)]; });
    o.uniqueBadJurisdiction = await t(() => ns.newUniqueId({ jurisdiction: "mars" }));
    o.jurisdictionNs = await t(() => { const j = ns.jurisdiction("eu"); return [Object.prototype.toString.call(j), j.idFromName("a").toString() === a.toString()]; });
    o.jurisdictionBad = await t(() => ns.jurisdiction("mars"));
    o.getBadId = await t(() => ns.get("notanid"));
    o.getOtherNsId = await t(() => ns.get(env.KV.idFromName("a")));
    o.getLocationHint = await t(() => ns.get(a, { locationHint: "enam" }).hello("hint"));
    o.getBadHint = await t(() => ns.get(a, { locationHint: "mars" }).hello("x"));
    const stub = ns.get(a);
    o.stubTag = Object.prototype.toString.call(stub);
    o.stubId = stub.id.equals(a);
    o.stubName = String(stub.name);
    o.stubThen = typeof stub.then;
    o.stubTypeof = typeof stub;
    o.getByName = await t(async () => { const s = ns.getByName("a"); return [s.id.equals(a), String(s.name), await s.hello("byname")]; });
    o.rpc = await t(() => stub.hello("world"));
    o.getter = await t(async () => await stub.prop);
    o.field = await t(async () => await stub.field);
    o.missing = await t(() => stub.nothere());
    o.throwType = await t(() => stub.throwType());
    o.throwCustom = await t(() => stub.throwCustom());
    o.ctxInfo = await t(() => stub.ctxInfo());
    o.ctxInfoUnique = await t(async () => (await ns.get(u).ctxInfo()).idName);
    o.fetch = await t(async () => { const r = await stub.fetch("http://do/path?q=1", { method: "POST", headers: { "x-h": "hv" }, body: "body" }); return [r.status, r.headers.get("x-do"), await r.text()]; });
    o.fetchRelative = await t(() => stub.fetch("/relative"));
    o.fetchRequest = await t(async () => (await stub.fetch(new Request("http://x/req", { headers: { "x-h": "r" } }))).text());
    o.oldStyleFetch = await t(async () => { const s = env.OLD.get(env.OLD.newUniqueId()); await s.fetch("http://x/"); return (await s.fetch("http://x/")).text(); });
    o.oldStyleRpc = await t(() => env.OLD.get(env.OLD.idFromName("o")).rpcMethod());
    o.kvSqlAccess = await t(() => env.KV.get(env.KV.idFromName("k")).sqlAccess());
    o.kvAlarmNoHandler = await t(() => env.KV.get(env.KV.idFromName("k")).setAlarmNoHandler());
    o.callReserved = await t(() => stub.alarm());
    o.callWebSocketMessage = await t(() => stub.webSocketMessage());
    o.callConstructor = await t(() => stub.constructor());
    o.dup = await t(() => stub.dup());
    o.stubKeys = Object.keys(stub);
    o.idKeys = Object.keys(a);
    o.idJsonText = JSON.stringify(a);
    o.uniqueKeys = Object.keys(u);
    o.stubInstanceofFetcher = typeof Fetcher === "function" ? stub instanceof Fetcher : "no Fetcher";
    o.jurisdictionGet = await t(() => ns.get(ns.newUniqueId(), { routingMode: "nope" }));
    o.sqlBindTypes = await t(() => ns.get(ns.idFromName("sqltypes")).sqlTypes());
    o.fetchThrow = await t(() => ns.get(ns.idFromName("ft")).fetch("http://x/throw"));
    o.fetchNoHandler = await t(() => env.KV.get(env.KV.idFromName("nf")).fetch("http://x/"));
    // Reset cases last, on a stub of their own: a reset breaks the stub that saw it.
    const resetStub = ns.get(ns.idFromName("reset"));
    o.bcwThrow = await t(() => resetStub.bcwThrow());
    o.afterBcwThrowSameStub = await t(() => resetStub.hello("after reset"));
    o.afterBcwThrowNewStub = await t(() => ns.get(ns.idFromName("reset")).hello("new stub"));
    o.abort = await t(() => ns.get(ns.idFromName("abort")).abortMe());
    return Response.json(o);
  },
};
