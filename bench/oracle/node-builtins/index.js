// node: built-ins probe (fs, os, zlib, dns and net without the network): bench/oracle.sh bench/oracle/node-builtins /run
import dns from "node:dns";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import zlib from "node:zlib";
import net from "node:net";
import tls from "node:tls";
import { promisify } from "node:util";
// Node errors' own keys differ in workerd by class (code, name, toString); fs errors' are compared.
const describe = (e) => [e.name, e.code ?? null, e.message, e.syscall ?? null, e.path ?? null, e.syscall ? Object.keys(e) : null];
const attempt = async (f) => { try { return { ok: await f() }; } catch (e) { return { err: describe(e) }; } };
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const r = {};
    // fs: workerd's virtual file system
    r.fsKeys = Object.keys(fs).sort();
    r.fsPromisesKeys = Object.keys(fsp).sort();
    r.root = await attempt(() => fs.readdirSync("/"));
    r.bundleHasIndex = await attempt(() => fs.readdirSync("/bundle").includes("index.js"));
    r.readBundle = await attempt(() => fs.readFileSync("/bundle/index.js", "utf8").length > 0);
    r.notAModule = await attempt(() => fs.readFileSync("/bundle/wrangler.toml"));
    r.writeBundle = await attempt(() => fs.writeFileSync("/bundle/x.txt", "x"));
    r.writeTmp = await attempt(() => { fs.writeFileSync("/tmp/x.txt", "tmp!"); return fs.readFileSync("/tmp/x.txt", "utf8"); });
    r.appendTmp = await attempt(() => { fs.appendFileSync("/tmp/x.txt", "+more"); return fs.readFileSync("/tmp/x.txt", "utf8"); });
    r.tmpList = await attempt(() => fs.readdirSync("/tmp"));
    r.missing = await attempt(() => fs.readFileSync("/tmp/nope"));
    r.outside = await attempt(() => fs.readFileSync("/etc/passwd"));
    r.relative = await attempt(() => fs.readFileSync("nope.txt"));
    r.statFile = await attempt(() => { const s = fs.statSync("/bundle/index.js"); return [s.isFile(), s.isDirectory(), s.mode, s.mtime.getTime()]; });
    r.statDir = await attempt(() => { const s = fs.statSync("/bundle"); return [s.isFile(), s.isDirectory(), s.mode]; });
    r.statTmpFile = await attempt(() => { const s = fs.statSync("/tmp/x.txt"); return [s.isFile(), s.size]; });
    r.statMissing = await attempt(() => fs.statSync("/tmp/none", { throwIfNoEntry: false }) ?? "undefined");
    r.exists = [fs.existsSync("/bundle"), fs.existsSync("/nope"), fs.existsSync("/tmp"), fs.existsSync("/dev/null")];
    r.dev = await attempt(() => fs.readdirSync("/dev"));
    r.devNull = await attempt(() => fs.readFileSync("/dev/null").length);
    r.promise = await attempt(() => fsp.readFile("/tmp/x.txt", "utf8"));
    r.mkdir = await attempt(() => { fs.mkdirSync("/tmp/a/b", { recursive: true }); fs.writeFileSync("/tmp/a/b/c", "c"); return fs.readdirSync("/tmp/a", { recursive: true }); });
    r.mkdirExists = await attempt(() => fs.mkdirSync("/tmp/a"));
    r.rmdirNotEmpty = await attempt(() => fs.rmdirSync("/tmp/a"));
    r.rename = await attempt(() => { fs.renameSync("/tmp/a/b/c", "/tmp/moved"); return [fs.existsSync("/tmp/a/b/c"), fs.readFileSync("/tmp/moved", "utf8")]; });
    r.unlink = await attempt(() => { fs.unlinkSync("/tmp/moved"); return fs.existsSync("/tmp/moved"); });
    r.fd = await attempt(() => { const fd = fs.openSync("/tmp/fd.txt", "w+"); fs.writeSync(fd, "hello fd"); const b = Buffer.alloc(5); const n = fs.readSync(fd, b, 0, 5, 0); fs.closeSync(fd); return [n, b.toString()]; });
    r.badFd = await attempt(() => fs.closeSync(9999));
    r.withFileTypes = await attempt(() => fs.readdirSync("/", { withFileTypes: true }).map((d) => [d.name, d.isDirectory()]));
    r.cwd = process.cwd();
    // os
    r.osKeys = Object.keys(os).sort();
    r.os = [os.platform(), os.type(), os.arch(), os.EOL, os.hostname(), os.homedir(), os.tmpdir(), os.release(), os.cpus().length, os.totalmem(), os.freemem(), os.endianness(), os.machine(), os.version(), os.availableParallelism(), os.userInfo(), os.loadavg(), os.uptime(), os.networkInterfaces(), os.devNull];
    // zlib
    r.zlibKeys = Object.keys(zlib).sort();
    r.zlibConstants = Object.keys(zlib.constants).length;
    r.zlibCodes = Object.keys(zlib.codes);
    r.zlibOut = [zlib.deflateSync("hello").toString("base64"), zlib.gzipSync("hello").toString("base64"), zlib.deflateRawSync("hello", { level: 9 }).toString("base64"), zlib.brotliCompressSync("hello").toString("base64"), zlib.zstdCompressSync("hello").toString("base64")];
    r.zlibRoundTrip = [zlib.inflateSync(zlib.deflateSync("a".repeat(100000))).length, zlib.brotliDecompressSync(zlib.brotliCompressSync("b".repeat(70000))).length, zlib.zstdDecompressSync(zlib.zstdCompressSync("c".repeat(90000))).length, zlib.unzipSync(zlib.gzipSync("unzip")).toString(), zlib.unzipSync(zlib.deflateSync("unzip2")).toString()];
    r.crc32 = [zlib.crc32("hello"), zlib.crc32("world", zlib.crc32("hello ")), zlib.crc32(new Uint8Array([1, 2, 3]))];
    r.gunzipMembers = zlib.gunzipSync(Buffer.concat([zlib.gzipSync("a"), zlib.gzipSync("b")])).toString();
    r.zlibErrors = await Promise.all([
      () => zlib.inflateSync(Buffer.from("nonsense")), () => zlib.inflateSync(zlib.deflateSync(Buffer.from("hello")).subarray(0, 5)),
      () => zlib.brotliDecompressSync(Buffer.from("nonsense garbage")), () => zlib.inflateRawSync(Buffer.from([0xff, 0xff])),
      () => zlib.deflateSync("x", { level: 42 }), () => zlib.createDeflate({ windowBits: 3 }), () => zlib.deflateSync(42),
      () => zlib.gunzipSync(Buffer.concat([zlib.gzipSync("a"), Buffer.from("trailing")])),
      () => zlib.inflateSync(zlib.deflateSync(Buffer.alloc(1000)), { maxOutputLength: 10 }),
    ].map(attempt));
    r.zlibAsync = (await promisify(zlib.gunzip)(zlib.gzipSync("async!"))).toString();
    r.zlibStream = await new Promise((resolve) => {
      const chunks = [], gz = zlib.createGzip(), gunzip = zlib.createGunzip();
      gunzip.on("data", (c) => chunks.push(c)); gunzip.on("end", () => resolve(Buffer.concat(chunks).toString()));
      gz.pipe(gunzip); gz.write("stream "); gz.write("of "); gz.end("text");
    });
    r.zlibFlush = await new Promise((resolve) => { const df = zlib.createDeflate(); const parts = []; df.on("data", (c) => parts.push(c)); df.write("abc"); df.flush(() => resolve(Buffer.concat(parts).toString("base64"))); });
    // dns without the network
    r.dnsKeys = Object.keys(dns).sort();
    r.dnsServers = dns.getServers();
    r.dnsLiteral = await attempt(() => dns.promises.lookup("127.0.0.1"));
    r.dnsLiteralAll = await attempt(() => dns.promises.lookup("::1", { all: true }));
    r.dnsBadFamily = await attempt(() => dns.promises.lookup("x", { family: 5 }));
    r.dnsOrder = dns.getDefaultResultOrder();
    // net and tls without the network
    r.netKeys = Object.keys(net).filter((k) => k !== "BoundSocket").sort();
    r.tlsKeys = Object.keys(tls).sort();
    r.isIP = [net.isIP("1.2.3.4"), net.isIP("::1"), net.isIP("x"), net.isIPv6("fe80::1%eth0"), net.isIPv4("256.1.1.1")];
    r.netPath = await attempt(() => new net.Socket().connect({ path: "/tmp/x" }));
    r.netBadPort = await attempt(() => net.connect(99999));
    r.tlsReject = await attempt(() => tls.connect({ host: "x", port: 1, rejectUnauthorized: false }));
    r.fresh = (() => { const s = new net.Socket(); return [s.readyState, s.pending, s.connecting, s.remoteAddress, s.bytesRead, s.address()]; })();
    const list = new net.BlockList(); list.addSubnet("10.0.0.0", 8); list.addAddress("::1", "ipv6"); list.addRange("192.168.0.1", "192.168.0.9");
    r.blockList = [list.check("10.1.2.3"), list.check("11.0.0.1"), list.check("::1", "ipv6"), list.check("192.168.0.5"), list.rules];
    return Response.json(r);
  },
};
