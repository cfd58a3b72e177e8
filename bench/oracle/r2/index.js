// R2 behaviour probe: run with bench/oracle.sh bench/oracle/r2 /run
// Values that differ from run to run (version, uploaded, upload ids, part etags) are reduced
// to their shape, so recorded answers stay comparable.
// Set per request: at module scope workerd's clock reads 0.
let started = 0;
function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
function shape(o) {
  if (o === null || o === undefined) return o === null ? null : "undefined";
  if (typeof o !== "object") return o;
  const out = {
    tag: Object.prototype.toString.call(o),
    ctor: o.constructor?.name,
    ownKeys: Object.keys(o),
  };
  for (const k of ["key", "size", "etag", "httpEtag", "httpMetadata", "customMetadata", "range", "storageClass"]) out[k] = o[k] === undefined ? "undefined" : o[k];
  out.version = typeof o.version === "string" && /^[0-9a-f]{32}$/.test(o.version) ? "hex32" : o.version;
  out.uploaded = o.uploaded instanceof Date && Math.abs(o.uploaded.getTime() - started) < 120000 ? "recent Date" : String(o.uploaded);
  out.checksums = o.checksums ? { tag: Object.prototype.toString.call(o.checksums), json: o.checksums.toJSON(), md5: o.checksums.md5 instanceof ArrayBuffer ? hex(o.checksums.md5) : String(o.checksums.md5) } : "none";
  out.hasBody = "body" in o;
  if (out.hasBody) out.bodyUsed = o.bodyUsed;
  return out;
}
async function attempt(fn) {
  try {
    const v = await fn();
    if (v instanceof ArrayBuffer) return { ok: { arrayBuffer: [...new Uint8Array(v)] } };
    if (v instanceof Uint8Array) return { ok: { uint8: [...v] } };
    return { ok: v === undefined ? "undefined" : v };
  } catch (e) {
    return { err: `${e?.constructor?.name}: ${e?.message}` };
  }
}
const sync = (fn) => { try { const p = fn(); p?.catch?.(() => {}); return "no sync throw"; } catch (e) { return `sync ${e.constructor.name}: ${e.message}`; } };
const MiB = 1024 * 1024;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/run") return new Response("ok");
    started = Date.now();
    const b = env.R2, r = {};
    r.toString = Object.prototype.toString.call(b);
    r.ctorName = b.constructor.name;
    r.protoKeys = Object.getOwnPropertyNames(Object.getPrototypeOf(b));

    // ---- put: values and the object it returns
    r.putText = await attempt(async () => shape(await b.put("text", "hello r2")));
    r.putTextJson = await attempt(async () => {
      const o = JSON.parse(JSON.stringify(await b.put("text2", "hello")));
      o.version = typeof o.version; o.uploaded = typeof o.uploaded;
      return o;
    });
    r.putArrayBuffer = await attempt(async () => shape(await b.put("ab", new Uint8Array([1, 2, 3]).buffer)));
    r.putView = await attempt(async () => { await b.put("view", new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 3)); return (await b.get("view")).arrayBuffer(); });
    r.putBlob = await attempt(async () => { await b.put("blob", new Blob(["bl", "ob"], { type: "x/y" })); const o = await b.get("blob"); return [await o.text(), o.httpMetadata]; });
    r.putNull = await attempt(async () => shape(await b.put("null", null)));
    r.putUndefined = await attempt(async () => shape(await b.put("undef", undefined)));
    r.putNumber = await attempt(() => b.put("num", 42));
    r.putObject = await attempt(() => b.put("obj", { a: 1 }));
    r.putResponseBody = await attempt(async () => { await b.put("rb", new Response("from a response").body); return (await b.get("rb")).text(); });
    r.putJsStream = await attempt(() => b.put("js", new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("x")); c.close(); } })));
    r.putFixedLength = await attempt(async () => {
      const { readable, writable } = new FixedLengthStream(5);
      const w = writable.getWriter(); w.write(new TextEncoder().encode("fixed")); w.close();
      await b.put("fixed", readable);
      return (await b.get("fixed")).text();
    });
    r.putFixedLengthShort = await attempt(async () => {
      const { readable, writable } = new FixedLengthStream(10);
      const w = writable.getWriter(); w.write(new TextEncoder().encode("short")).catch(() => {}); w.close().catch(() => {});
      return b.put("fixedshort", readable);
    });
    r.putLockedStream = await attempt(() => { const s = new Response("x").body; s.getReader(); return b.put("locked", s); });
    r.putNoValue = await attempt(() => b.put("novalue"));
    r.putNoKey = await attempt(() => b.put());
    r.putKeyNumber = await attempt(async () => (await b.put(123, "n")).key);
    r.putEmptyKey = await attempt(async () => (await b.put("", "empty key")).key);
    r.putKey1024 = await attempt(async () => (await b.put("k".repeat(1024), "x")).size);
    r.putKey1025 = await attempt(() => b.put("k".repeat(1025), "x"));
    r.putKeyUtf8 = await attempt(() => b.put("é".repeat(513), "x"));
    r.getKey1025 = await attempt(() => b.get("k".repeat(1025)));
    r.headKey1025 = await attempt(() => b.head("k".repeat(1025)));
    r.deleteKey1025 = await attempt(() => b.delete("k".repeat(1025)));

    // ---- metadata
    const expiry = new Date("2030-01-02T03:04:05.678Z");
    r.putHttpMetadata = await attempt(async () => {
      const o = await b.put("meta", "m", {
        httpMetadata: { contentType: "text/plain", contentLanguage: "en", contentDisposition: "inline", contentEncoding: "identity", cacheControl: "no-cache", cacheExpiry: expiry },
        customMetadata: { a: "1", b: "two" },
      });
      const h = new Headers();
      o.writeHttpMetadata(h);
      const got = await b.get("meta");
      const h2 = new Headers();
      got.writeHttpMetadata(h2);
      return { put: shape(o), written: [...h], got: shape(got), gotWritten: [...h2], expiryIsDate: got.httpMetadata.cacheExpiry instanceof Date };
    });
    r.putHttpMetadataHeaders = await attempt(async () => {
      const headers = new Headers({ "content-type": "image/png", "cache-control": "max-age=60", "content-disposition": "attachment", "content-language": "de", "content-encoding": "gzip", expires: "Wed, 21 Oct 2037 07:28:00 GMT", "x-other": "ignored" });
      const o = await b.put("metah", "m", { httpMetadata: headers });
      return shape(await b.head("metah"));
    });
    r.putHttpMetadataUnknownField = await attempt(async () => (await b.put("metau", "m", { httpMetadata: { contentType: "a/b", other: "x" } })).httpMetadata);
    r.putCustomNonString = await attempt(async () => (await b.put("metan", "m", { customMetadata: { n: 1, t: true } })).customMetadata);
    r.putCustomTooBig = await attempt(() => b.put("metabig", "m", { customMetadata: { k: "v".repeat(8192) } }));
    r.putCustomAtLimit = await attempt(async () => (await b.put("metaok", "m", { customMetadata: { k: "v".repeat(8191) } })).size);
    r.putCustomUnicode = await attempt(async () => (await b.put("metauni", "m", { customMetadata: { k: "é".repeat(4097) } })).size);
    r.putCustomUnicodeBig = await attempt(async () => (await b.put("metauni", "m", { customMetadata: { k: "😀".repeat(2049) } })).size);
    r.putBadOptions = await attempt(() => b.put("x", "v", "notobj"));
    r.putStorageClass = await attempt(async () => (await b.put("sc", "v", { storageClass: "InfrequentAccess" })).storageClass);
    r.putStorageClassBad = await attempt(async () => (await b.put("scbad", "v", { storageClass: "Cold" })).storageClass);

    // ---- checksums
    const md5Hello = "5d41402abc4b2a76b9719d911017c592";
    const sha1Hello = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
    const sha256Hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    const sha384Hello = "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f";
    const sha512Hello = "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043";
    r.md5Ok = await attempt(async () => shape(await b.put("h", "hello", { md5: md5Hello })).checksums);
    r.md5Bad = await attempt(() => b.put("h", "hellO", { md5: md5Hello }));
    r.md5Buffer = await attempt(async () => shape(await b.put("h", "hello", { md5: Uint8Array.from(md5Hello.match(/../g).map((x) => parseInt(x, 16))).buffer })).checksums);
    r.md5Short = await attempt(() => b.put("h", "hello", { md5: "abc" }));
    r.md5BufferShort = await attempt(() => b.put("h", "hello", { md5: new ArrayBuffer(3) }));
    r.md5NotHex = await attempt(() => b.put("h", "hello", { md5: "z".repeat(32) }));
    r.md5Upper = await attempt(async () => shape(await b.put("h", "hello", { md5: md5Hello.toUpperCase() })).checksums);
    r.sha1Ok = await attempt(async () => shape(await b.put("h", "hello", { sha1: sha1Hello })).checksums);
    r.sha1Bad = await attempt(() => b.put("h", "hellO", { sha1: sha1Hello }));
    r.sha256Ok = await attempt(async () => { await b.put("h", "hello", { sha256: sha256Hello }); const o = await b.head("h"); return [o.checksums.toJSON(), hex(o.checksums.sha256)]; });
    r.sha256Bad = await attempt(() => b.put("h", "hellO", { sha256: sha256Hello }));
    r.sha384Ok = await attempt(async () => shape(await b.put("h", "hello", { sha384: sha384Hello })).checksums);
    r.sha512Ok = await attempt(async () => shape(await b.put("h", "hello", { sha512: sha512Hello })).checksums);
    r.sha512Bad = await attempt(() => b.put("h", "hellO", { sha512: sha512Hello }));
    r.sha384Short = await attempt(() => b.put("h", "hello", { sha384: "ab" }));
    r.twoHashes = await attempt(() => b.put("h", "hello", { md5: md5Hello, sha1: sha1Hello }));
    r.hashNumber = await attempt(() => b.put("h", "hello", { md5: 5 }));

    // ---- head / get
    r.head = await attempt(async () => shape(await b.head("text")));
    r.headMissing = await attempt(() => b.head("missing"));
    r.getMissing = await attempt(() => b.get("missing"));
    r.get = await attempt(async () => shape(await b.get("text")));
    r.getText = await attempt(async () => (await b.get("text")).text());
    r.getJson = await attempt(async () => { await b.put("json", JSON.stringify({ a: [1, 2] })); return (await b.get("json")).json(); });
    r.getJsonBad = await attempt(async () => (await b.get("text")).json());
    r.getArrayBuffer = await attempt(async () => (await b.get("ab")).arrayBuffer());
    r.getBytes = await attempt(async () => (await b.get("ab")).bytes());
    r.getBlob = await attempt(async () => { const bl = await (await b.get("meta")).blob(); return [bl.constructor.name, bl.type, bl.size, await bl.text()]; });
    r.getBodyUsed = await attempt(async () => { const o = await b.get("text"); const before = o.bodyUsed; await o.text(); return [before, o.bodyUsed, o.body instanceof ReadableStream]; });
    r.getTwice = await attempt(async () => { const o = await b.get("text"); await o.text(); return o.text(); });
    r.getBodyStream = await attempt(async () => { const o = await b.get("text"); return new Response(o.body).text(); });
    r.getBodyIdentity = await attempt(async () => { const o = await b.get("text"); return o.body === o.body; });
    r.getEmpty = await attempt(async () => { const o = await b.get("null"); return [o.size, await o.text(), o.etag]; });
    r.getNoKey = await attempt(() => b.get());
    r.getBadOptions = await attempt(() => b.get("text", "x"));

    // ---- ranges (object "text" is "hello r2", 8 bytes)
    const range = async (opts) => { const o = await b.get("text", { range: opts }); return { text: await o.text(), range: o.range, size: o.size }; };
    r.rangeOffsetLength = await attempt(() => range({ offset: 1, length: 3 }));
    r.rangeOffset = await attempt(() => range({ offset: 6 }));
    r.rangeLength = await attempt(() => range({ length: 2 }));
    r.rangeSuffix = await attempt(() => range({ suffix: 2 }));
    r.rangeSuffixBig = await attempt(() => range({ suffix: 100 }));
    r.rangeLengthBig = await attempt(() => range({ offset: 4, length: 100 }));
    r.rangeOffsetEnd = await attempt(() => range({ offset: 8 }));
    r.rangeOffsetPast = await attempt(() => range({ offset: 9 }));
    r.rangeLength0 = await attempt(() => range({ offset: 1, length: 0 }));
    r.rangeSuffix0 = await attempt(() => range({ suffix: 0 }));
    r.rangeNegative = await attempt(() => range({ offset: -1 }));
    r.rangeFloat = await attempt(() => range({ offset: 1.5 }));
    r.rangeLengthNegative = await attempt(() => range({ length: -2 }));
    r.rangeSuffixAndOffset = await attempt(() => range({ suffix: 2, offset: 1 }));
    r.rangeSuffixNegative = await attempt(() => range({ suffix: -1 }));
    r.rangeEmptyObject = await attempt(() => range({}));
    r.rangeHeaders = await attempt(() => range(new Headers({ range: "bytes=2-4" })));
    r.rangeHeadersSuffix = await attempt(() => range(new Headers({ range: "bytes=-3" })));
    r.rangeHeadersOpen = await attempt(() => range(new Headers({ range: "bytes=5-" })));
    r.rangeHeadersMulti = await attempt(() => range(new Headers({ range: "bytes=0-1,3-4" })));
    r.rangeHeadersBad = await attempt(() => range(new Headers({ range: "bytes=9-10" })));
    r.rangeHeadersGarbage = await attempt(() => range(new Headers({ range: "pages=1" })));
    r.rangeHeadersNone = await attempt(() => range(new Headers()));
    r.rangeOnEmpty = await attempt(async () => { const o = await b.get("null", { range: { offset: 0 } }); return [await o.text(), o.range]; });

    // ---- conditional get / put
    const text = await b.head("text");
    const later = new Date(Date.now() + 3600000), earlier = new Date(Date.now() - 3600000);
    const cond = async (onlyIf) => { const o = await b.get("text", { onlyIf }); return o === null ? null : { hasBody: "body" in o, ctor: o.constructor.name, key: o.key }; };
    r.onlyIfEtagMatches = await attempt(() => cond({ etagMatches: text.etag }));
    r.onlyIfEtagMatchesNo = await attempt(() => cond({ etagMatches: "nope" }));
    r.onlyIfEtagMatchesStar = await attempt(() => cond({ etagMatches: "*" }));
    r.onlyIfEtagDoesNotMatch = await attempt(() => cond({ etagDoesNotMatch: text.etag }));
    r.onlyIfEtagDoesNotMatchNo = await attempt(() => cond({ etagDoesNotMatch: "nope" }));
    r.onlyIfQuoted = await attempt(() => cond({ etagMatches: text.httpEtag }));
    r.onlyIfUploadedBefore = await attempt(() => cond({ uploadedBefore: earlier }));
    r.onlyIfUploadedBeforeLater = await attempt(() => cond({ uploadedBefore: later }));
    r.onlyIfUploadedAfter = await attempt(() => cond({ uploadedAfter: later }));
    r.onlyIfUploadedAfterEarlier = await attempt(() => cond({ uploadedAfter: earlier }));
    r.onlyIfHeadersIfMatch = await attempt(() => cond(new Headers({ "if-match": text.httpEtag })));
    r.onlyIfHeadersIfMatchNo = await attempt(() => cond(new Headers({ "if-match": '"nope"' })));
    r.onlyIfHeadersIfNoneMatch = await attempt(() => cond(new Headers({ "if-none-match": text.httpEtag })));
    r.onlyIfHeadersIfNoneMatchWeak = await attempt(() => cond(new Headers({ "if-none-match": `W/${text.httpEtag}` })));
    r.onlyIfHeadersIfNoneMatchList = await attempt(() => cond(new Headers({ "if-none-match": `"a", ${text.httpEtag}` })));
    r.onlyIfHeadersIfNoneMatchStar = await attempt(() => cond(new Headers({ "if-none-match": "*" })));
    r.onlyIfHeadersUnquoted = await attempt(() => cond(new Headers({ "if-match": text.etag })));
    r.onlyIfHeadersUnclosed = await attempt(() => cond(new Headers({ "if-match": '"abc' })));
    r.onlyIfHeadersModifiedSince = await attempt(() => cond(new Headers({ "if-modified-since": later.toUTCString() })));
    r.onlyIfHeadersUnmodifiedSince = await attempt(() => cond(new Headers({ "if-unmodified-since": earlier.toUTCString() })));
    r.onlyIfHeadersBoth = await attempt(() => cond(new Headers({ "if-none-match": '"nope"', "if-modified-since": later.toUTCString() })));
    r.onlyIfMissingKey = await attempt(async () => b.get("missing", { onlyIf: { etagMatches: "x" } }));
    r.onlyIfHead = await attempt(async () => shape(await b.get("text", { onlyIf: { etagMatches: "nope" } })));
    r.onlyIfWithRange = await attempt(async () => { const o = await b.get("text", { onlyIf: { etagDoesNotMatch: text.etag }, range: { offset: 1 } }); return shape(o); });
    r.putOnlyIfFails = await attempt(() => b.put("text", "replaced?", { onlyIf: { etagMatches: "nope" } }));
    r.putOnlyIfFailsKept = await attempt(async () => (await b.get("text")).text());
    r.putOnlyIfHolds = await attempt(async () => { await b.put("cond", "one"); const h = await b.head("cond"); return (await b.put("cond", "two", { onlyIf: { etagMatches: h.etag } })).size; });
    r.putOnlyIfMissingKey = await attempt(async () => b.put("newcond", "x", { onlyIf: { etagMatches: "abc" } }));
    r.putOnlyIfNoneMatchStarMissing = await attempt(async () => (await b.put("newcond2", "x", { onlyIf: new Headers({ "if-none-match": "*" }) }))?.key ?? null);
    r.putOnlyIfNoneMatchStarExists = await attempt(async () => b.put("newcond2", "y", { onlyIf: new Headers({ "if-none-match": "*" }) }));

    // ---- delete
    r.deleteOne = await attempt(async () => { await b.put("del", "x"); const v = await b.delete("del"); return [v === undefined, await b.head("del")]; });
    r.deleteMissing = await attempt(() => b.delete("never"));
    r.deleteMany = await attempt(async () => { await b.put("d1", "x"); await b.put("d2", "x"); await b.delete(["d1", "d2", "d3"]); return [await b.head("d1"), await b.head("d2")]; });
    r.deleteEmptyList = await attempt(() => b.delete([]));
    r.delete1000 = await attempt(() => b.delete(Array.from({ length: 1000 }, (_, i) => "many" + i)));
    r.delete1001 = await attempt(() => b.delete(Array.from({ length: 1001 }, (_, i) => "many" + i)));
    r.deleteNoArgs = await attempt(() => b.delete());
    r.deleteNumber = await attempt(() => b.delete(5));

    // ---- list
    for (const k of ["b", "a", "ab", "😀", "\uFF5E", "Z", "dir/x", "dir/y", "dir/sub/z", "dir2/q", "e"]) await b.put("l/" + k, k, { httpMetadata: { contentType: "text/x" }, customMetadata: { k } });
    const listShape = (res) => ({
      ownKeys: Object.keys(res),
      keys: res.objects.map((o) => o.key),
      truncated: res.truncated,
      cursor: res.cursor === undefined ? "undefined" : res.cursor,
      delimitedPrefixes: res.delimitedPrefixes,
    });
    r.listAll = await attempt(async () => listShape(await b.list({ prefix: "l/" })));
    r.listObject = await attempt(async () => shape((await b.list({ prefix: "l/a" })).objects[0]));
    r.listNoOptions = await attempt(async () => (await b.list()).objects.length > 5);
    r.listLimit = await attempt(async () => listShape(await b.list({ prefix: "l/", limit: 3 })));
    r.listCursor = await attempt(async () => { const p = await b.list({ prefix: "l/", limit: 3 }); return listShape(await b.list({ prefix: "l/", cursor: p.cursor })); });
    r.listCursorAndStartAfter = await attempt(async () => { const p = await b.list({ prefix: "l/", limit: 3 }); return listShape(await b.list({ prefix: "l/", cursor: p.cursor, startAfter: "l/e" })); });
    r.listStartAfter = await attempt(async () => listShape(await b.list({ prefix: "l/", startAfter: "l/dir/x" })));
    r.listDelimiter = await attempt(async () => listShape(await b.list({ prefix: "l/", delimiter: "/" })));
    r.listDelimiterLimit = await attempt(async () => listShape(await b.list({ prefix: "l/", delimiter: "/", limit: 4 })));
    r.listDelimiterCursor = await attempt(async () => { const p = await b.list({ prefix: "l/", delimiter: "/", limit: 4 }); return listShape(await b.list({ prefix: "l/", delimiter: "/", cursor: p.cursor })); });
    r.listDelimiterSub = await attempt(async () => listShape(await b.list({ prefix: "l/dir/", delimiter: "/" })));
    r.listDelimiterNoPrefix = await attempt(async () => (await b.list({ delimiter: "/" })).delimitedPrefixes);
    r.listDelimiterEmpty = await attempt(async () => listShape(await b.list({ prefix: "l/dir", delimiter: "" })));
    r.listDelimiterMultiChar = await attempt(async () => listShape(await b.list({ prefix: "l/", delimiter: "ir" })));
    r.listIncludeHttp = await attempt(async () => shape((await b.list({ prefix: "l/a", include: ["httpMetadata"] })).objects[0]));
    r.listIncludeCustom = await attempt(async () => shape((await b.list({ prefix: "l/a", include: ["customMetadata"] })).objects[0]));
    r.listIncludeBoth = await attempt(async () => shape((await b.list({ prefix: "l/a", include: ["httpMetadata", "customMetadata"] })).objects[0]));
    r.listIncludeBad = await attempt(() => b.list({ include: ["nope"] }));
    r.listIncludeLimit = await attempt(async () => { for (let i = 0; i < 105; i++) await b.put("inc/" + String(i).padStart(3, "0"), "x"); return listShape(await b.list({ prefix: "inc/", include: ["customMetadata"] })).keys.length; });
    r.listIncludeLimitExplicit = await attempt(async () => (await b.list({ prefix: "inc/", include: ["customMetadata"], limit: 200 })).objects.length);
    r.writeHttpMetadataOfListed = await attempt(async () => { const o = (await b.list({ prefix: "l/a" })).objects[0]; const h = new Headers(); o.writeHttpMetadata(h); return [...h]; });
    r.listLimit0 = await attempt(async () => listShape(await b.list({ prefix: "l/", limit: 0 })));
    r.listLimit1000 = await attempt(async () => (await b.list({ prefix: "l/", limit: 1000 })).objects.length);
    r.listLimit1001 = await attempt(() => b.list({ limit: 1001 }));
    r.listLimitNegative = await attempt(async () => (await b.list({ prefix: "l/", limit: -1 })).objects.length);
    r.listLimitFloat = await attempt(async () => (await b.list({ prefix: "l/", limit: 2.7 })).objects.length);
    r.listLimitString = await attempt(async () => (await b.list({ prefix: "l/", limit: "2" })).objects.length);
    r.listBadCursor = await attempt(() => b.list({ cursor: "!!!not a cursor" }));
    r.listPrefixNumber = await attempt(() => b.list({ prefix: 5 }));
    r.listBadOptions = await attempt(() => b.list("x"));
    r.listPrefixNone = await attempt(async () => listShape(await b.list({ prefix: "zzz-none/" })));

    // ---- multipart (parts other than the last must be at least 5 MiB)
    const part1 = new Uint8Array(5 * MiB).fill(97), part2 = new TextEncoder().encode("tail");
    r.mpCreate = await attempt(async () => {
      const u = await b.createMultipartUpload("mp", { httpMetadata: { contentType: "application/x-mp" }, customMetadata: { m: "p" } });
      return { tag: Object.prototype.toString.call(u), ctor: u.constructor.name, ownKeys: Object.keys(u), protoKeys: Object.getOwnPropertyNames(Object.getPrototypeOf(u)), key: u.key, uploadIdType: typeof u.uploadId };
    });
    r.mpFlow = await attempt(async () => {
      const u = await b.createMultipartUpload("mp", { httpMetadata: { contentType: "application/x-mp" }, customMetadata: { m: "p" } });
      const p1 = await u.uploadPart(1, part1);
      const p2 = await u.uploadPart(2, part2);
      const partShape = { ownKeys: Object.keys(p1), partNumber: p1.partNumber, etagType: typeof p1.etag, ctor: p1.constructor.name };
      const done = await u.complete([p1, p2]);
      const got = await b.get("mp");
      const body = new Uint8Array(await got.arrayBuffer());
      const ranged = await (await b.get("mp", { range: { offset: 5 * MiB - 2, length: 4 } })).text();
      return { partShape, complete: shape(done), get: shape(got), length: body.length, tail: new TextDecoder().decode(body.subarray(5 * MiB - 1)), ranged };
    });
    r.mpEtag = await attempt(async () => {
      const u = await b.createMultipartUpload("mpe");
      const p1 = await u.uploadPart(1, part1), p2 = await u.uploadPart(2, "xyz");
      return (await u.complete([p1, p2])).etag;
    });
    r.mpResume = await attempt(async () => {
      const u = await b.createMultipartUpload("mpr");
      const again = b.resumeMultipartUpload("mpr", u.uploadId);
      const p1 = await again.uploadPart(1, "only part");
      return [again.key, again.uploadId === u.uploadId, (await again.complete([p1])).size, await (await b.get("mpr")).text()];
    });
    r.mpSinglePartSmall = await attempt(async () => { const u = await b.createMultipartUpload("mps"); const p = await u.uploadPart(1, "small"); return (await u.complete([p])).size; });
    r.mpTooSmall = await attempt(async () => { const u = await b.createMultipartUpload("mpts"); const p1 = await u.uploadPart(1, "small"); const p2 = await u.uploadPart(2, "small"); return u.complete([p1, p2]); });
    r.mpUnequal = await attempt(async () => { const u = await b.createMultipartUpload("mpuq"); const p1 = await u.uploadPart(1, part1); const p2 = await u.uploadPart(2, new Uint8Array(6 * MiB)); const p3 = await u.uploadPart(3, "end"); return u.complete([p1, p2, p3]); });
    r.mpLastBigger = await attempt(async () => { const u = await b.createMultipartUpload("mplb"); const p1 = await u.uploadPart(1, part1); const p2 = await u.uploadPart(2, new Uint8Array(6 * MiB)); return u.complete([p1, p2]); });
    r.mpOutOfOrder = await attempt(async () => { const u = await b.createMultipartUpload("mpoo"); const p1 = await u.uploadPart(1, part1); const p2 = await u.uploadPart(2, "end"); const o = await u.complete([p2, p1]); return [o.size, (await (await b.get("mpoo", { range: { suffix: 3 } })).text())]; });
    r.mpBadEtag = await attempt(async () => { const u = await b.createMultipartUpload("mpbe"); await u.uploadPart(1, "x"); return u.complete([{ partNumber: 1, etag: "wrong" }]); });
    r.mpMissingPart = await attempt(async () => { const u = await b.createMultipartUpload("mpmp"); const p = await u.uploadPart(1, "x"); return u.complete([p, { partNumber: 2, etag: p.etag }]); });
    r.mpDuplicatePart = await attempt(async () => { const u = await b.createMultipartUpload("mpdp"); const p = await u.uploadPart(1, "x"); return u.complete([p, p]); });
    r.mpNoParts = await attempt(async () => { const u = await b.createMultipartUpload("mpnp"); return shape(await u.complete([])); });
    r.mpPart0 = await attempt(async () => { const u = await b.createMultipartUpload("mp0"); return u.uploadPart(0, "x"); });
    r.mpPart10001 = await attempt(async () => { const u = await b.createMultipartUpload("mp0"); return u.uploadPart(10001, "x"); });
    r.mpPart10000 = await attempt(async () => { const u = await b.createMultipartUpload("mp0"); return (await u.uploadPart(10000, "x")).partNumber; });
    r.mpPart0Sync = sync(() => b.resumeMultipartUpload("mp0", "x").uploadPart(0, "x"));
    r.mpPartNull = await attempt(async () => { const u = await b.createMultipartUpload("mp0"); return u.uploadPart(1, null); });
    r.mpPartStream = await attempt(async () => { const u = await b.createMultipartUpload("mpst"); const p = await u.uploadPart(1, new Response("streamed part").body); await u.complete([p]); return (await b.get("mpst")).text(); });
    r.mpPartJsStream = await attempt(async () => { const u = await b.createMultipartUpload("mpjs"); return u.uploadPart(1, new ReadableStream({ start(c) { c.close(); } })); });
    r.mpCompletePart0 = await attempt(async () => { const u = await b.createMultipartUpload("mpc0"); return u.complete([{ partNumber: 0, etag: "x" }]); });
    r.mpReuploadPart = await attempt(async () => { const u = await b.createMultipartUpload("mprp"); const a = await u.uploadPart(1, "first"); const c = await u.uploadPart(1, "second"); const o = await u.complete([c]); return [a.etag === c.etag, await (await b.get("mprp")).text()]; });
    r.mpReuploadOldEtag = await attempt(async () => { const u = await b.createMultipartUpload("mpro"); const a = await u.uploadPart(1, "first"); await u.uploadPart(1, "second"); return u.complete([a]); });
    r.mpAbort = await attempt(async () => { const u = await b.createMultipartUpload("mpab"); await u.uploadPart(1, "x"); const v = await u.abort(); return [v === undefined, await b.head("mpab")]; });
    r.mpAbortTwice = await attempt(async () => { const u = await b.createMultipartUpload("mpab2"); await u.abort(); return u.abort(); });
    r.mpUploadAfterAbort = await attempt(async () => { const u = await b.createMultipartUpload("mpua"); await u.abort(); return u.uploadPart(1, "x"); });
    r.mpCompleteAfterAbort = await attempt(async () => { const u = await b.createMultipartUpload("mpca"); const p = await u.uploadPart(1, "x"); await u.abort(); return u.complete([p]); });
    r.mpCompleteTwice = await attempt(async () => { const u = await b.createMultipartUpload("mpct"); const p = await u.uploadPart(1, "x"); await u.complete([p]); return u.complete([p]); });
    r.mpUploadAfterComplete = await attempt(async () => { const u = await b.createMultipartUpload("mpuc"); const p = await u.uploadPart(1, "x"); await u.complete([p]); return u.uploadPart(2, "y"); });
    r.mpUnknownUploadPart = await attempt(() => b.resumeMultipartUpload("mpx", "no-such-upload").uploadPart(1, "x"));
    r.mpUnknownComplete = await attempt(() => b.resumeMultipartUpload("mpx", "no-such-upload").complete([]));
    r.mpUnknownAbort = await attempt(() => b.resumeMultipartUpload("mpx", "no-such-upload").abort());
    r.mpWrongKey = await attempt(async () => { const u = await b.createMultipartUpload("mpk1"); return b.resumeMultipartUpload("mpk2", u.uploadId).uploadPart(1, "x"); });
    r.mpWrongKeyComplete = await attempt(async () => { const u = await b.createMultipartUpload("mpk3"); const p = await u.uploadPart(1, "x"); return b.resumeMultipartUpload("mpk4", u.uploadId).complete([p]); });
    r.mpCreateKeyLong = await attempt(() => b.createMultipartUpload("k".repeat(1025)));
    r.mpCreateMetaBig = await attempt(() => b.createMultipartUpload("mpmb", { customMetadata: { k: "v".repeat(8192) } }));
    r.mpResumeNoId = await attempt(() => b.resumeMultipartUpload("mp"));
    r.mpObjectReplacesOld = await attempt(async () => { await b.put("mprep", "old"); const u = await b.createMultipartUpload("mprep"); const p = await u.uploadPart(1, "new"); await u.complete([p]); return (await b.get("mprep")).text(); });
    r.mpNotVisibleBeforeComplete = await attempt(async () => { const u = await b.createMultipartUpload("mpvis"); await u.uploadPart(1, "x"); return b.head("mpvis"); });
    r.mpListed = await attempt(async () => { const o = (await b.list({ prefix: "mpe" })).objects[0]; return [o.key, o.size, /-2$/.test(o.etag), o.checksums.toJSON()]; });

    // ---- receivers and constructors
    r.wrongThis = await attempt(() => b.get.call({}, "text"));
    r.illegalConstructor = await attempt(() => new b.constructor());
    r.headProto = await attempt(async () => Object.getOwnPropertyNames(Object.getPrototypeOf(await b.head("text"))));
    r.getProto = await attempt(async () => Object.getOwnPropertyNames(Object.getPrototypeOf(await b.get("text"))));
    r.getProtoProto = await attempt(async () => Object.getPrototypeOf(Object.getPrototypeOf(await b.get("text"))).constructor.name);
    r.checksumsProto = await attempt(async () => Object.getOwnPropertyNames(Object.getPrototypeOf((await b.head("text")).checksums)));
    r.checksumsKeys = await attempt(async () => { const c = (await b.put("ck", "hello", { sha1: sha1Hello })).checksums; return [Object.keys(c), c.sha1 instanceof ArrayBuffer, c.sha256 === undefined, c.md5 === c.md5]; });
    r.getJsonStringify = await attempt(async () => { const o = JSON.parse(JSON.stringify(await b.get("text", { range: { offset: 1, length: 2 } }))); o.version = typeof o.version; o.uploaded = typeof o.uploaded; return o; });
    r.writeHttpMetadataBadArg = await attempt(async () => (await b.head("text")).writeHttpMetadata({}));
    r.propertyWritable = await attempt(async () => { const o = await b.head("text"); o.key = "changed"; const d = Object.getOwnPropertyDescriptor(o, "key"); return [o.key, d.writable, d.enumerable, d.configurable, "value" in d]; });
    r.httpMetadataIdentity = await attempt(async () => { const o = await b.head("meta"); return o.httpMetadata === o.httpMetadata; });
    r.noArgsSync = sync(() => b.get());
    r.putBadValueSync = sync(() => b.put("x", {}));
    r.rangeBadSync = sync(() => b.get("text", { range: { offset: -1 } }));
    return Response.json(r);
  },
};
