// node:fs — workerd's virtual file system: /bundle holds the Worker's modules (read-only, read
// from the host), /tmp is an empty, writable directory for each request (it lives in memory and
// goes with the request), /dev has null, zero, full and random. Nothing of the host's file
// system is reachable. Errors carry Node's codes as workerd words them
// ("no such file or directory, readAll '/tmp/nope'"). Sync, callback and promise forms.
import bridge from "node-internal:bridge";
import { Buffer } from "node:buffer";
import { Readable, Writable } from "node:stream";

const { nodeError, invalidArgType, ops } = bridge;

// ---- constants ----------------------------------------------------------------------------------
export const F_OK = 0, R_OK = 4, W_OK = 2, X_OK = 1;
export const constants = Object.freeze({
  UV_FS_SYMLINK_DIR: 1, UV_FS_SYMLINK_JUNCTION: 2, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, UV_DIRENT_UNKNOWN: 0, UV_DIRENT_FILE: 1,
  UV_DIRENT_DIR: 2, UV_DIRENT_LINK: 3, UV_DIRENT_FIFO: 4, UV_DIRENT_SOCKET: 5, UV_DIRENT_CHAR: 6, UV_DIRENT_BLOCK: 7,
  EXTENSIONLESS_FORMAT_JAVASCRIPT: 0, EXTENSIONLESS_FORMAT_WASM: 1, S_IFMT: 61440, S_IFREG: 32768, S_IFDIR: 16384, S_IFCHR: 8192,
  S_IFBLK: 24576, S_IFIFO: 4096, S_IFLNK: 40960, S_IFSOCK: 49152, O_CREAT: 64, O_EXCL: 128, UV_FS_O_FILEMAP: 0, O_NOCTTY: 256,
  O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536, O_NOATIME: 262144, O_NOFOLLOW: 131072, O_SYNC: 1052672, O_DSYNC: 4096,
  O_DIRECT: 16384, O_NONBLOCK: 2048, S_IRWXU: 448, S_IRUSR: 256, S_IWUSR: 128, S_IXUSR: 64, S_IRWXG: 56, S_IRGRP: 32, S_IWGRP: 16,
  S_IXGRP: 8, S_IRWXO: 7, S_IROTH: 4, S_IWOTH: 2, S_IXOTH: 1, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, UV_FS_COPYFILE_EXCL: 1,
  COPYFILE_EXCL: 1, UV_FS_COPYFILE_FICLONE: 2, COPYFILE_FICLONE: 2, UV_FS_COPYFILE_FICLONE_FORCE: 4, COPYFILE_FICLONE_FORCE: 4,
});
const C = constants;

// ---- errors -------------------------------------------------------------------------------------
const DESCRIPTIONS = {
  ENOENT: "no such file or directory", EEXIST: "file already exists", ENOTDIR: "not a directory", EISDIR: "illegal operation on a directory",
  EPERM: "operation not permitted", ENOTEMPTY: "directory not empty", EBADF: "bad file descriptor", EINVAL: "invalid argument",
  ELOOP: "too many symbolic links encountered", EACCES: "permission denied", ENOSPC: "no space left on device",
};
function fsError(code, syscall, path, dest) {
  const where = path === undefined ? "" : ` '${path}'${dest === undefined ? "" : ` -> '${dest}'`}`;
  const e = new Error(`${DESCRIPTIONS[code] ?? code}${path === undefined ? "" : `, ${syscall}${where}`}`);
  e.syscall = syscall;
  e.code = code;
  if (path !== undefined) e.path = path;
  if (dest !== undefined) e.dest = dest;
  return e;
}

// ---- the tree -----------------------------------------------------------------------------------
const now = () => new Date();
class FileNode {
  constructor(data, mode = 0o666, readOnly = false) { this.data = data; this.mode = mode; this.readOnly = readOnly; this.times(now()); this.links = 1; }
  times(t) { this.atime = t; this.mtime = t; this.ctime = t; this.birthtime = t; }
}
class DirNode {
  constructor(mode = 0o777, readOnly = false) { this.entries = new Map(); this.mode = mode; this.readOnly = readOnly; this.times(now()); }
  times(t) { this.atime = t; this.mtime = t; this.ctime = t; this.birthtime = t; }
}
class LinkNode {
  constructor(target) { this.target = target; this.mode = 0o777; this.readOnly = false; this.times(now()); }
  times(t) { this.atime = t; this.mtime = t; this.ctime = t; this.birthtime = t; }
}
class DeviceNode {
  constructor(kind) { this.kind = kind; this.mode = 0o666; this.readOnly = false; this.times(new Date(0)); }
  times(t) { this.atime = t; this.mtime = t; this.ctime = t; this.birthtime = t; }
}

const EPOCH = new Date(0);
const devDir = new DirNode(0o555, true);
for (const kind of ["null", "zero", "full", "random"]) devDir.entries.set(kind, new DeviceNode(kind));
devDir.times(EPOCH);

/** /bundle: the Worker's modules, read from the host when first used. */
class BundleDir extends DirNode {
  constructor() { super(0o444, true); this.times(EPOCH); this.loaded = false; }
  load() {
    if (this.loaded) return;
    this.loaded = true;
    for (const name of ops.fsBundleList().split("\n").filter(Boolean)) {
      let dir = this;
      const parts = name.split("/");
      for (const part of parts.slice(0, -1)) {
        if (!dir.entries.has(part)) { const d = new DirNode(0o444, true); d.times(EPOCH); dir.entries.set(part, d); }
        dir = dir.entries.get(part);
      }
      dir.entries.set(parts[parts.length - 1], new BundleFile(name));
    }
  }
}
class BundleFile extends FileNode {
  constructor(name) { super(null, 0o444, true); this.name = name; this.times(EPOCH); }
  get bytes() {
    if (this.data === null) {
      const out = new Uint8Array(Math.max(0, ops.fsBundleSize(this.name)));
      ops.fsBundleRead(this.name, out);
      this.data = out;
    }
    return this.data;
  }
  set bytes(v) { this.data = v; }
}
const bundle = new BundleDir();

/** This request's /tmp (an empty directory for each request, as workerd gives it). */
function tmpDir() {
  return bridge.eventLocal("fs.tmp", () => new DirNode(0o777));
}

function root() {
  const r = new DirNode(0o555, true);
  r.times(EPOCH);
  r.entries.set("bundle", bundle);
  r.entries.set("tmp", tmpDir());
  r.entries.set("dev", devDir);
  return r;
}

/** The path as a string, absolute (relative paths are under /bundle, as workerd resolves them). */
function toPath(path, name = "path") {
  const text = rawPath(path, name);
  return text.startsWith("/") ? text : `/bundle/${text}`;
}

function rawPath(path, name) {
  if (typeof path === "string") return path;
  if (path instanceof URL) {
    if (path.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
    return decodeURIComponent(path.pathname);
  }
  if (ArrayBuffer.isView(path)) return Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString();
  throw invalidArgType(name, "of type string or an instance of Buffer or URL", path);
}

/** The parts of an absolute path, normalised. */
function normalize(path) {
  const parts = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop(); else parts.push(p);
  }
  return parts;
}

/** Finds the node at `path`: { node, parent, name, path }; node undefined when missing. */
function lookup(path, syscall, { follow = true, depth = 0 } = {}) {
  const parts = normalize(path);
  let dir = root();
  let parent = null, name = "";
  for (let i = 0; i < parts.length; i++) {
    if (dir instanceof BundleDir) dir.load();
    if (!(dir instanceof DirNode)) throw fsError("ENOTDIR", syscall, path);
    parent = dir;
    name = parts[i];
    let node = dir.entries.get(name);
    if (node instanceof LinkNode && (follow || i < parts.length - 1)) {
      if (depth > 32) throw fsError("ELOOP", syscall, path);
      const target = node.target.startsWith("/") ? node.target : `/${parts.slice(0, i).join("/")}/${node.target}`;
      const rest = parts.slice(i + 1).join("/");
      return lookup(rest ? `${target}/${rest}` : target, syscall, { follow, depth: depth + 1 });
    }
    if (node === undefined) return i === parts.length - 1 ? { node: undefined, parent, name, path } : (() => { throw fsError("ENOENT", syscall, path); })();
    dir = node;
  }
  if (dir instanceof BundleDir) dir.load();
  return { node: dir, parent, name, path };
}

function existing(path, syscall, follow = true) {
  const found = lookup(path, syscall, { follow });
  if (found.node === undefined) throw fsError("ENOENT", syscall, path);
  return found;
}

function writableParent(found, syscall, path) {
  if (found.parent === null || found.parent.readOnly) throw fsError("EPERM", syscall, path);
  return found.parent;
}

function bytesOf(node) { return node instanceof BundleFile ? node.bytes : node.data; }

// ---- Stats and Dirent ---------------------------------------------------------------------------
export class Stats {
  constructor(node, bigint = false) {
    const kind = node instanceof DirNode ? C.S_IFDIR : node instanceof LinkNode ? C.S_IFLNK : node instanceof DeviceNode ? C.S_IFCHR : C.S_IFREG;
    const size = node instanceof FileNode ? bytesOf(node).byteLength : 0;
    const n = (v) => (bigint ? BigInt(v) : v);
    Object.assign(this, {
      dev: n(0), ino: n(0), mode: n(kind | node.mode), nlink: n(1), uid: n(0), gid: n(0), rdev: n(0), size: n(size), blksize: n(4096),
      blocks: n(Math.ceil(size / 512)), atimeMs: n(node.atime.getTime()), mtimeMs: n(node.mtime.getTime()), ctimeMs: n(node.ctime.getTime()),
      birthtimeMs: n(node.birthtime.getTime()), atime: node.atime, mtime: node.mtime, ctime: node.ctime, birthtime: node.birthtime,
    });
    if (bigint) for (const k of ["atime", "mtime", "ctime", "birthtime"]) this[`${k}Ns`] = BigInt(this[k].getTime()) * 1000000n;
  }
  #type() { return Number(this.mode) & C.S_IFMT; }
  isFile() { return this.#type() === C.S_IFREG; }
  isDirectory() { return this.#type() === C.S_IFDIR; }
  isSymbolicLink() { return this.#type() === C.S_IFLNK; }
  isCharacterDevice() { return this.#type() === C.S_IFCHR; }
  isBlockDevice() { return false; }
  isFIFO() { return false; }
  isSocket() { return false; }
}

export class Dirent {
  constructor(name, node, parentPath) { this.name = name; this.parentPath = parentPath; this.path = parentPath; this._node = node; Object.defineProperty(this, "_node", { enumerable: false }); }
  isFile() { return this._node instanceof FileNode; }
  isDirectory() { return this._node instanceof DirNode; }
  isSymbolicLink() { return this._node instanceof LinkNode; }
  isCharacterDevice() { return this._node instanceof DeviceNode; }
  isBlockDevice() { return false; }
  isFIFO() { return false; }
  isSocket() { return false; }
}

// ---- file descriptors ---------------------------------------------------------------------------
const descriptors = new Map(); // fd -> { node, path, position, flags }
let nextFd = 3;

function parseFlags(flags = "r") {
  if (typeof flags === "number") {
    const access = flags & 3;
    return { read: access !== C.O_WRONLY, write: access !== C.O_RDONLY, create: !!(flags & C.O_CREAT), exclusive: !!(flags & C.O_EXCL), truncate: !!(flags & C.O_TRUNC), append: !!(flags & C.O_APPEND) };
  }
  const table = {
    r: [1, 0, 0, 0, 0, 0], rs: [1, 0, 0, 0, 0, 0], "r+": [1, 1, 0, 0, 0, 0], "rs+": [1, 1, 0, 0, 0, 0], w: [0, 1, 1, 0, 1, 0], wx: [0, 1, 1, 1, 1, 0],
    "w+": [1, 1, 1, 0, 1, 0], "wx+": [1, 1, 1, 1, 1, 0], a: [0, 1, 1, 0, 0, 1], ax: [0, 1, 1, 1, 0, 1], "a+": [1, 1, 1, 0, 0, 1], "ax+": [1, 1, 1, 1, 0, 1],
    as: [0, 1, 1, 0, 0, 1], "as+": [1, 1, 1, 0, 0, 1],
  }[String(flags)];
  if (table === undefined) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'flags' is invalid. Received '${flags}'`);
  const [read, write, create, exclusive, truncate, append] = table.map(Boolean);
  return { read, write, create, exclusive, truncate, append };
}

function descriptor(fd, syscall) {
  if (typeof fd !== "number") throw invalidArgType("fd", "of type number", fd);
  const d = descriptors.get(fd);
  if (d === undefined) throw fsError("EBADF", syscall);
  return d;
}

export function openSync(path, flags = "r", mode = 0o666) {
  path = toPath(path);
  const f = parseFlags(flags);
  const found = lookup(path, "open");
  let node = found.node;
  if (node !== undefined && f.create && f.exclusive) throw fsError("EEXIST", "open", path);
  if (node === undefined) {
    if (!f.create) throw fsError("ENOENT", "open", path);
    const parent = writableParent(found, "open", path);
    node = new FileNode(new Uint8Array(0), mode);
    parent.entries.set(found.name, node);
  } else if (node instanceof DirNode && f.write) throw fsError("EISDIR", "open", path);
  if (f.write && node.readOnly) throw fsError("EPERM", "open", path);
  if (f.truncate && node instanceof FileNode) { node.data = new Uint8Array(0); node.mtime = now(); }
  const fd = nextFd++;
  descriptors.set(fd, { node, path, position: 0, ...f });
  return fd;
}

// As workerd: closing a descriptor that is not open is not an error.
export function closeSync(fd) {
  if (typeof fd !== "number") throw invalidArgType("fd", "of type number", fd);
  descriptors.delete(fd);
}

function readInto(node, target, offset, length, position) {
  if (node instanceof DeviceNode) {
    const view = target.subarray(offset, offset + length);
    if (node.kind === "null") return 0;
    if (node.kind === "random") ops.randomFill(view); else view.fill(0);
    return length;
  }
  if (node instanceof DirNode) throw fsError("EISDIR", "read");
  const bytes = bytesOf(node);
  const n = Math.max(0, Math.min(length, bytes.byteLength - position));
  target.set(bytes.subarray(position, position + n), offset);
  return n;
}

export function readSync(fd, buffer, offsetOrOptions, length, position) {
  const d = descriptor(fd, "read");
  if (!d.read) throw fsError("EBADF", "read");
  let offset = offsetOrOptions;
  if (offsetOrOptions !== null && typeof offsetOrOptions === "object") ({ offset = 0, length = buffer.byteLength - offset, position = null } = offsetOrOptions);
  offset ??= 0; length ??= buffer.byteLength - offset;
  const view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const at = position === null || position === undefined || position < 0 ? d.position : Number(position);
  const n = readInto(d.node, view, offset, length, at);
  if (position === null || position === undefined || position < 0) d.position += n;
  return n;
}

function writeAt(node, bytes, position, syscall, path) {
  if (node instanceof DeviceNode) { if (node.kind === "full") throw fsError("ENOSPC", syscall, path); return bytes.byteLength; }
  if (node.readOnly) throw fsError("EPERM", syscall, path);
  const old = node.data;
  const end = position + bytes.byteLength;
  const next = end > old.byteLength ? new Uint8Array(end) : old;
  if (next !== old) next.set(old);
  next.set(bytes, position);
  node.data = next;
  node.mtime = node.ctime = now();
  return bytes.byteLength;
}

export function writeSync(fd, data, offsetOrPosition, lengthOrEncoding, position) {
  const d = descriptor(fd, "write");
  if (!d.write) throw fsError("EBADF", "write");
  let bytes;
  if (typeof data === "string") { bytes = Buffer.from(data, typeof lengthOrEncoding === "string" ? lengthOrEncoding : "utf8"); position = offsetOrPosition; }
  else {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const offset = offsetOrPosition ?? 0;
    bytes = view.subarray(offset, offset + (typeof lengthOrEncoding === "number" ? lengthOrEncoding : view.byteLength - offset));
  }
  const at = d.append ? bytesOf(d.node)?.byteLength ?? 0 : position === null || position === undefined ? d.position : Number(position);
  const n = writeAt(d.node, bytes, at, "write", d.path);
  if (position === null || position === undefined || d.append) d.position = at + n;
  return n;
}

export function readvSync(fd, buffers, position) {
  let total = 0;
  for (const b of buffers) { const n = readSync(fd, b, 0, b.byteLength, position === undefined || position === null ? null : position + total); total += n; if (n < b.byteLength) break; }
  return total;
}
export function writevSync(fd, buffers, position) {
  let total = 0;
  for (const b of buffers) total += writeSync(fd, b, 0, b.byteLength, position === undefined || position === null ? null : position + total);
  return total;
}
export function fstatSync(fd, options) { return new Stats(descriptor(fd, "fstat").node, options?.bigint); }
export function fsyncSync(fd) { descriptor(fd, "fsync"); }
export function fdatasyncSync(fd) { descriptor(fd, "fdatasync"); }
export function ftruncateSync(fd, len = 0) { const d = descriptor(fd, "ftruncate"); truncateNode(d.node, len, "ftruncate", d.path); }
export function fchmodSync(fd, mode) { descriptor(fd, "fchmod").node.mode = Number(mode) & 0o777; }
export function fchownSync(fd) { descriptor(fd, "fchown"); }
export function futimesSync(fd, atime, mtime) { const d = descriptor(fd, "futimes"); setTimes(d.node, atime, mtime, "futime", d.path); }

// ---- whole-file and directory operations ---------------------------------------------------------
function encodingOf(options, fallback) {
  if (typeof options === "string") return options;
  return options?.encoding ?? fallback;
}
function dataBytes(data, options) {
  if (typeof data === "string") return Buffer.from(data, encodingOf(options, "utf8"));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
}

export function readFileSync(path, options) {
  const encoding = encodingOf(options, null);
  let bytes;
  if (typeof path === "number") {
    const d = descriptor(path, "read");
    const all = d.node instanceof FileNode ? bytesOf(d.node) : new Uint8Array(0);
    bytes = all.slice(d.position); d.position = all.byteLength;
  } else {
    path = toPath(path);
    const { node } = existing(path, "readAll");
    if (node instanceof DirNode) throw fsError("EISDIR", "readAll", path);
    bytes = node instanceof DeviceNode ? new Uint8Array(0) : bytesOf(node).slice();
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding && encoding !== "buffer" ? buffer.toString(encoding) : buffer;
}

export function writeFileSync(path, data, options) {
  const bytes = dataBytes(data, options);
  if (typeof path === "number") { writeSync(path, bytes); return; }
  path = toPath(path);
  const flag = typeof options === "object" && options?.flag ? parseFlags(options.flag) : parseFlags("w");
  const found = lookup(path, "writeAll");
  if (found.node === undefined) {
    if (found.parent === null || found.parent.readOnly) throw fsError("EPERM", "writeAll");
    found.parent.entries.set(found.name, new FileNode(bytes.slice(), typeof options === "object" && options?.mode ? options.mode : 0o666));
    return;
  }
  if (flag.exclusive) throw fsError("EEXIST", "writeAll", path);
  if (found.node instanceof DirNode) throw fsError("EISDIR", "writeAll", path);
  if (found.node.readOnly) throw fsError("EPERM", "writeAll");
  if (found.node instanceof DeviceNode) { writeAt(found.node, bytes, 0, "writeAll", path); return; }
  if (flag.append) writeAt(found.node, bytes, found.node.data.byteLength, "writeAll", path);
  else { found.node.data = bytes.slice(); found.node.mtime = found.node.ctime = now(); }
}

export function appendFileSync(path, data, options) {
  writeFileSync(path, data, typeof options === "string" ? { encoding: options, flag: "a" } : { ...options, flag: options?.flag ?? "a" });
}

export function existsSync(path) {
  try { return lookup(toPath(path), "stat").node !== undefined; } catch { return false; }
}

export function accessSync(path, mode = F_OK) {
  path = toPath(path);
  const { node } = existing(path, "access");
  if ((mode & W_OK) && node.readOnly) throw fsError("EPERM", "access", path);
}

export function statSync(path, options) {
  path = toPath(path);
  const found = lookup(path, "stat");
  if (found.node === undefined) { if (options?.throwIfNoEntry === false) return undefined; throw fsError("ENOENT", "stat", path); }
  return new Stats(found.node, options?.bigint);
}
export function lstatSync(path, options) {
  path = toPath(path);
  const found = lookup(path, "lstat", { follow: false });
  if (found.node === undefined) { if (options?.throwIfNoEntry === false) return undefined; throw fsError("ENOENT", "lstat", path); }
  return new Stats(found.node, options?.bigint);
}
export function statfsSync(path, options) {
  existing(toPath(path), "statfs");
  const n = (v) => (options?.bigint ? BigInt(v) : v);
  return { type: n(0x01021994), bsize: n(4096), blocks: n(0), bfree: n(0), bavail: n(0), files: n(0), ffree: n(0) };
}

export function readdirSync(path, options) {
  path = toPath(path);
  const { node } = existing(path, "scandir");
  if (!(node instanceof DirNode)) throw fsError("ENOTDIR", "scandir", path);
  const withFileTypes = typeof options === "object" && options?.withFileTypes;
  const recursive = typeof options === "object" && options?.recursive;
  const encoding = encodingOf(options, "utf8");
  const out = [];
  const base = "/" + normalize(path).join("/");
  const walk = (dir, prefix, parentPath) => {
    if (dir instanceof BundleDir) dir.load();
    for (const [name, child] of dir.entries) {
      const rel = prefix ? `${prefix}/${name}` : name;
      out.push(withFileTypes ? new Dirent(name, child, parentPath) : encoding === "buffer" ? Buffer.from(rel) : rel);
      if (recursive && child instanceof DirNode) walk(child, rel, `${parentPath}/${name}`);
    }
  };
  // workerd names recursive entries from the root ("tmp/a/b" for readdir("/tmp/a")), not from the directory read.
  walk(node, recursive ? base.slice(1) : "", base === "/" ? "" : base);
  return out;
}

export function mkdirSync(path, options) {
  path = toPath(path);
  const recursive = typeof options === "object" && options?.recursive;
  const mode = typeof options === "object" ? options?.mode ?? 0o777 : options ?? 0o777;
  if (!recursive) {
    const found = lookup(path, "mkdir");
    // As workerd: making a directory that exists is not an error.
    if (found.node instanceof DirNode) return undefined;
    if (found.node !== undefined) throw fsError("EEXIST", "mkdir", path);
    writableParent(found, "mkdir", path).entries.set(found.name, new DirNode(mode));
    return undefined;
  }
  const parts = normalize(path);
  let first;
  for (let i = 1; i <= parts.length; i++) {
    const sub = "/" + parts.slice(0, i).join("/");
    const found = lookup(sub, "mkdir");
    if (found.node === undefined) {
      writableParent(found, "mkdir", path).entries.set(found.name, new DirNode(mode));
      first ??= sub;
    } else if (!(found.node instanceof DirNode)) throw fsError("ENOTDIR", "mkdir", path);
  }
  return first;
}

export function mkdtempSync(prefix, options) {
  prefix = toPath(prefix, "prefix");
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (;;) {
    const random = new Uint8Array(6);
    ops.randomFill(random);
    const path = prefix + Array.from(random, (b) => chars[b % chars.length]).join("");
    if (!existsSync(path)) { mkdirSync(path); return encodingOf(options, "utf8") === "buffer" ? Buffer.from(path) : path; }
  }
}

export function rmdirSync(path, options) {
  path = toPath(path);
  if (options?.recursive) { rmSync(path, { recursive: true }); return; }
  const found = existing(path, "rmdir", false);
  if (!(found.node instanceof DirNode)) throw fsError("ENOTDIR", "rmdir", path);
  // workerd's words: syscall "rm", and the entry's name for its path.
  if (found.node.entries.size > 0) throw fsError("ENOTEMPTY", "rm", found.name);
  writableParent(found, "rmdir", path).entries.delete(found.name);
}

export function rmSync(path, options) {
  path = toPath(path);
  const found = lookup(path, "rm", { follow: false });
  if (found.node === undefined) { if (options?.force) return; throw fsError("ENOENT", "rm", path); }
  if (found.node instanceof DirNode && !options?.recursive) {
    const e = nodeError(Error, "ERR_FS_EISDIR", `Path is a directory: rm returned EISDIR (is a directory) ${path}`);
    e.errno = 21; e.syscall = "rm"; e.path = path; throw e;
  }
  writableParent(found, "rm", path).entries.delete(found.name);
}

export function unlinkSync(path) {
  path = toPath(path);
  const found = existing(path, "unlink", false);
  if (found.node instanceof DirNode) throw fsError("EISDIR", "unlink", path);
  writableParent(found, "unlink", path).entries.delete(found.name);
}

export function renameSync(from, to) {
  from = toPath(from, "oldPath"); to = toPath(to, "newPath");
  const src = existing(from, "rename", false);
  const dst = lookup(to, "rename");
  writableParent(src, "rename", from);
  writableParent(dst, "rename", to);
  if (dst.node instanceof DirNode && !(src.node instanceof DirNode)) throw fsError("EISDIR", "rename", from, to);
  src.parent.entries.delete(src.name);
  dst.parent.entries.set(dst.name, src.node);
}

export function copyFileSync(src, dest, mode = 0) {
  src = toPath(src, "src"); dest = toPath(dest, "dest");
  const from = existing(src, "copyfile");
  if (from.node instanceof DirNode) throw fsError("EISDIR", "copyfile", src, dest);
  const to = lookup(dest, "copyfile");
  if (to.node !== undefined && (mode & C.COPYFILE_EXCL)) throw fsError("EEXIST", "copyfile", src, dest);
  writableParent(to, "copyfile", dest).entries.set(to.name, new FileNode(bytesOf(from.node).slice(), from.node.mode === 0o444 ? 0o666 : from.node.mode));
}

export function cpSync(src, dest, options) {
  src = toPath(src, "src"); dest = toPath(dest, "dest");
  const from = existing(src, "cp");
  if (from.node instanceof DirNode) {
    if (!options?.recursive) {
      const e = nodeError(Error, "ERR_FS_EISDIR", `Recursive option is required to copy a directory: ${src}`);
      e.syscall = "cp"; e.path = src; throw e;
    }
    if (!existsSync(dest)) mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(src)) cpSync(`${src}/${name}`, `${dest}/${name}`, options);
    return;
  }
  if (existsSync(dest) && (options?.errorOnExist && options?.force === false)) throw fsError("EEXIST", "cp", dest);
  if (existsSync(dest) && options?.force === false) return;
  copyFileSync(src, dest);
}

function truncateNode(node, len, syscall, path) {
  if (!(node instanceof FileNode)) throw fsError("EISDIR", syscall, path);
  if (node.readOnly) throw fsError("EPERM", syscall, path);
  const next = new Uint8Array(len);
  next.set(node.data.subarray(0, len));
  node.data = next;
  node.mtime = node.ctime = now();
}
export function truncateSync(path, len = 0) {
  if (typeof path === "number") { ftruncateSync(path, len); return; }
  path = toPath(path);
  truncateNode(existing(path, "open").node, len, "open", path);
}

export function symlinkSync(target, path) {
  target = rawPath(target, "target"); path = toPath(path);
  const found = lookup(path, "symlink", { follow: false });
  if (found.node !== undefined) throw fsError("EEXIST", "symlink", target, path);
  writableParent(found, "symlink", path).entries.set(found.name, new LinkNode(target));
}
export function readlinkSync(path, options) {
  path = toPath(path);
  const { node } = existing(path, "readlink", false);
  if (!(node instanceof LinkNode)) throw fsError("EINVAL", "readlink", path);
  return encodingOf(options, "utf8") === "buffer" ? Buffer.from(node.target) : node.target;
}
export function linkSync(existingPath, newPath) {
  existingPath = toPath(existingPath, "existingPath"); newPath = toPath(newPath, "newPath");
  const from = existing(existingPath, "link");
  if (from.node instanceof DirNode) throw fsError("EPERM", "link", existingPath, newPath);
  const to = lookup(newPath, "link");
  if (to.node !== undefined) throw fsError("EEXIST", "link", existingPath, newPath);
  writableParent(to, "link", newPath).entries.set(to.name, from.node);
}
export function realpathSync(path, options) {
  path = toPath(path);
  const parts = [];
  for (const part of normalize(path)) {
    const candidate = "/" + [...parts, part].join("/");
    const found = lookup(candidate, "realpath", { follow: false });
    if (found.node === undefined) throw fsError("ENOENT", "realpath", path);
    if (found.node instanceof LinkNode) parts.splice(0, parts.length, ...normalize(realpathSync(found.node.target.startsWith("/") ? found.node.target : `/${parts.join("/")}/${found.node.target}`)));
    else parts.push(part);
  }
  const result = "/" + parts.join("/");
  return encodingOf(options, "utf8") === "buffer" ? Buffer.from(result) : result;
}
realpathSync.native = realpathSync;

function setTimes(node, atime, mtime, syscall, path) {
  if (node.readOnly) throw fsError("EPERM", syscall, path);
  const toDate = (t) => (t instanceof Date ? t : new Date(typeof t === "string" ? Number(t) * 1000 : Number(t) * 1000));
  node.atime = toDate(atime);
  node.mtime = toDate(mtime);
}
export function utimesSync(path, atime, mtime) { path = toPath(path); setTimes(existing(path, "utime").node, atime, mtime, "utime", path); }
export function lutimesSync(path, atime, mtime) { path = toPath(path); setTimes(existing(path, "lutime", false).node, atime, mtime, "lutime", path); }
export function chmodSync(path, mode) {
  path = toPath(path);
  const { node } = existing(path, "chmod");
  if (node.readOnly) throw fsError("EPERM", "chmod", path);
  node.mode = Number(typeof mode === "string" ? parseInt(mode, 8) : mode) & 0o777;
}
export function lchmodSync(path, mode) { chmodSync(path, mode); }
export function chownSync(path) { existing(toPath(path), "chown"); }
export function lchownSync(path) { existing(toPath(path), "lchown", false); }

export class Dir {
  #entries; #path; #closed = false;
  constructor(path, entries) { this.#path = path; this.#entries = entries; }
  get path() { return this.#path; }
  readSync() { if (this.#closed) throw nodeError(Error, "ERR_DIR_CLOSED", "Directory handle was closed"); return this.#entries.shift() ?? null; }
  read(callback) { const p = Promise.resolve().then(() => this.readSync()); if (typeof callback === "function") p.then((d) => callback(null, d), callback); else return p; }
  closeSync() { this.#closed = true; }
  close(callback) { this.#closed = true; const p = Promise.resolve(); if (typeof callback === "function") p.then(() => callback(null)); else return p; }
  async *entries() { let d; while ((d = this.readSync()) !== null) yield d; }
  [Symbol.asyncIterator]() { return this.entries(); }
  [Symbol.dispose]() { this.closeSync(); }
  async [Symbol.asyncDispose]() { this.closeSync(); }
}
export function opendirSync(path, options) {
  path = toPath(path);
  return new Dir(path, readdirSync(path, { withFileTypes: true, recursive: options?.recursive }));
}

export function globSync() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The globSync method is not implemented"); }
export async function openAsBlob(path, options) { return new Blob([readFileSync(path)], { type: options?.type ?? "" }); }

// ---- streams --------------------------------------------------------------------------------------
export class ReadStream extends Readable {
  constructor(path, options = {}) {
    if (typeof options === "string") options = { encoding: options };
    super({ highWaterMark: options.highWaterMark ?? 64 * 1024, encoding: options.encoding });
    this.path = typeof path === "number" ? undefined : toPath(path);
    this.fd = options.fd ?? (typeof path === "number" ? path : null);
    this.flags = options.flags ?? "r";
    this.start = options.start ?? 0;
    this.end = options.end ?? Infinity;
    this.pos = this.start;
    this.bytesRead = 0;
    this.pending = true;
    this.autoClose = options.autoClose ?? true;
  }
  _construct(callback) {
    try { if (this.fd === null) this.fd = openSync(this.path, this.flags); this.pending = false; this.emit("open", this.fd); this.emit("ready"); callback(); } catch (e) { callback(e); }
  }
  _read(n) {
    const want = Math.min(n, this.end - this.pos + 1);
    if (want <= 0) { this.push(null); return; }
    const buffer = Buffer.alloc(want);
    try {
      const got = readSync(this.fd, buffer, 0, want, this.pos);
      this.pos += got; this.bytesRead += got;
      this.push(got === 0 ? null : buffer.subarray(0, got));
    } catch (e) { this.destroy(e); }
  }
  _destroy(error, callback) {
    if (this.autoClose && this.fd !== null && descriptors.has(this.fd)) { closeSync(this.fd); queueMicrotask(() => this.emit("close")); }
    callback(error);
  }
  close(callback) { this.destroy(); if (typeof callback === "function") this.once("close", callback); }
}
export class WriteStream extends Writable {
  constructor(path, options = {}) {
    if (typeof options === "string") options = { encoding: options };
    super({ highWaterMark: options.highWaterMark, decodeStrings: true, defaultEncoding: options.encoding ?? "utf8" });
    this.path = typeof path === "number" ? undefined : toPath(path);
    this.fd = options.fd ?? (typeof path === "number" ? path : null);
    this.flags = options.flags ?? "w";
    this.pos = options.start;
    this.bytesWritten = 0;
    this.pending = true;
    this.autoClose = options.autoClose ?? true;
  }
  _construct(callback) {
    try { if (this.fd === null) this.fd = openSync(this.path, this.flags); this.pending = false; this.emit("open", this.fd); this.emit("ready"); callback(); } catch (e) { callback(e); }
  }
  _write(chunk, encoding, callback) {
    try {
      const n = writeSync(this.fd, chunk, 0, chunk.byteLength, this.pos ?? null);
      if (this.pos !== undefined) this.pos += n;
      this.bytesWritten += n;
      callback();
    } catch (e) { callback(e); }
  }
  _destroy(error, callback) {
    if (this.autoClose && this.fd !== null && descriptors.has(this.fd)) { closeSync(this.fd); queueMicrotask(() => this.emit("close")); }
    callback(error);
  }
  close(callback) { this.end(); if (typeof callback === "function") this.once("close", callback); }
}
export const FileReadStream = ReadStream;
export const FileWriteStream = WriteStream;
export function createReadStream(path, options) { return new ReadStream(path, options); }
export function createWriteStream(path, options) { return new WriteStream(path, options); }

// ---- callback forms --------------------------------------------------------------------------------
function callbackForm(sync, name) {
  return function (...args) {
    const callback = args.pop();
    if (typeof callback !== "function") throw invalidArgType("cb", "of type function", callback);
    let result, error = null;
    try { result = sync(...args); } catch (e) { error = e; }
    queueMicrotask(() => (error ? callback(error) : callback(null, result)));
  };
}
export const access = callbackForm(accessSync), appendFile = callbackForm(appendFileSync), chmod = callbackForm(chmodSync),
  chown = callbackForm(chownSync), close = (fd, cb = () => {}) => callbackForm(closeSync)(fd, cb), copyFile = callbackForm(copyFileSync),
  cp = callbackForm(cpSync), fchmod = callbackForm(fchmodSync), fchown = callbackForm(fchownSync), fdatasync = callbackForm(fdatasyncSync),
  fstat = callbackForm(fstatSync), fsync = callbackForm(fsyncSync), ftruncate = callbackForm(ftruncateSync), futimes = callbackForm(futimesSync),
  lchmod = callbackForm(lchmodSync), lchown = callbackForm(lchownSync), lutimes = callbackForm(lutimesSync), link = callbackForm(linkSync),
  lstat = callbackForm(lstatSync), mkdir = callbackForm(mkdirSync), mkdtemp = callbackForm(mkdtempSync), open = callbackForm(openSync),
  opendir = callbackForm(opendirSync), readdir = callbackForm(readdirSync), readFile = callbackForm(readFileSync), readlink = callbackForm(readlinkSync),
  realpath = callbackForm(realpathSync), rename = callbackForm(renameSync), rmdir = callbackForm(rmdirSync), rm = callbackForm(rmSync),
  stat = callbackForm(statSync), statfs = callbackForm(statfsSync), symlink = callbackForm(symlinkSync), truncate = callbackForm(truncateSync),
  unlink = callbackForm(unlinkSync), utimes = callbackForm(utimesSync), writeFile = callbackForm(writeFileSync);
realpath.native = realpath;
export function exists(path, callback) { const r = existsSync(path); queueMicrotask(() => callback(r)); }
export function read(fd, buffer, offset, length, position, callback) {
  if (typeof buffer === "function") { callback = buffer; buffer = Buffer.alloc(16384); offset = 0; length = buffer.byteLength; position = null; }
  else if (typeof offset === "function") { callback = offset; offset = 0; length = buffer.byteLength; position = null; }
  else if (typeof offset === "object" && offset !== null && typeof length === "function") { callback = length; ({ offset = 0, length = buffer.byteLength, position = null } = offset); }
  let n, error = null;
  try { n = readSync(fd, buffer, offset, length, position); } catch (e) { error = e; }
  queueMicrotask(() => (error ? callback(error) : callback(null, n, buffer)));
}
export function write(fd, data, ...rest) {
  const callback = rest.pop();
  let n, error = null;
  try { n = writeSync(fd, data, ...rest); } catch (e) { error = e; }
  queueMicrotask(() => (error ? callback(error) : callback(null, n, data)));
}
export const readv = (fd, buffers, position, callback) => { if (typeof position === "function") { callback = position; position = null; } callbackForm(readvSync)(fd, buffers, position, (e, n) => callback(e, n, buffers)); };
export const writev = (fd, buffers, position, callback) => { if (typeof position === "function") { callback = position; position = null; } callbackForm(writevSync)(fd, buffers, position, (e, n) => callback(e, n, buffers)); };
export function glob() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The glob method is not implemented"); }
export function watch() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The watch method is not implemented"); }
export function watchFile() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The watchFile method is not implemented"); }
export function unwatchFile() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The unwatchFile method is not implemented"); }

// ---- promises ----------------------------------------------------------------------------------------
const promised = (sync) => async (...args) => sync(...args);
export class FileHandle {
  #fd;
  constructor(fd) { this.#fd = fd; }
  get fd() { return this.#fd; }
  async appendFile(data, options) { writeSync(this.#fd, dataBytes(data, options)); }
  async chmod(mode) { fchmodSync(this.#fd, mode); }
  async chown() {}
  async close() { if (descriptors.has(this.#fd)) closeSync(this.#fd); }
  async datasync() { fdatasyncSync(this.#fd); }
  async sync() { fsyncSync(this.#fd); }
  async read(buffer, offset, length, position) {
    if (buffer === undefined || (buffer !== null && typeof buffer === "object" && !ArrayBuffer.isView(buffer))) {
      const o = buffer ?? {}; buffer = o.buffer ?? Buffer.alloc(16384); offset = o.offset ?? 0; length = o.length ?? buffer.byteLength - offset; position = o.position ?? null;
    }
    const bytesRead = readSync(this.#fd, buffer, offset ?? 0, length ?? buffer.byteLength - (offset ?? 0), position ?? null);
    return { bytesRead, buffer };
  }
  async readFile(options) { return readFileSync(this.#fd, options); }
  async readv(buffers, position) { return { bytesRead: readvSync(this.#fd, buffers, position), buffers }; }
  async stat(options) { return fstatSync(this.#fd, options); }
  async truncate(len) { ftruncateSync(this.#fd, len); }
  async utimes(atime, mtime) { futimesSync(this.#fd, atime, mtime); }
  async write(data, ...rest) { const bytesWritten = writeSync(this.#fd, data, ...rest); return { bytesWritten, buffer: data }; }
  async writeFile(data, options) { ftruncateSync(this.#fd, 0); descriptor(this.#fd, "write").position = 0; writeSync(this.#fd, dataBytes(data, options)); }
  async writev(buffers, position) { return { bytesWritten: writevSync(this.#fd, buffers, position), buffers }; }
  readableWebStream() { const bytes = readFileSync(this.#fd); return new Blob([bytes]).stream(); }
  createReadStream(options) { return new ReadStream(this.#fd, options); }
  createWriteStream(options) { return new WriteStream(this.#fd, options); }
  async [Symbol.asyncDispose]() { await this.close(); }
}
export const promises = {
  access: promised(accessSync), appendFile: promised(appendFileSync), chmod: promised(chmodSync), chown: promised(chownSync),
  copyFile: promised(copyFileSync), cp: promised(cpSync), lchmod: promised(lchmodSync), lchown: promised(lchownSync),
  lutimes: promised(lutimesSync), link: promised(linkSync), lstat: promised(lstatSync), mkdir: promised(mkdirSync),
  mkdtemp: promised(mkdtempSync), open: async (path, flags, mode) => new FileHandle(openSync(path, flags, mode)),
  opendir: promised(opendirSync), readdir: promised(readdirSync), readFile: async (path, options) => (path instanceof FileHandle ? path.readFile(options) : readFileSync(path, options)),
  readlink: promised(readlinkSync), realpath: promised(realpathSync), rename: promised(renameSync), rmdir: promised(rmdirSync),
  rm: promised(rmSync), stat: promised(statSync), statfs: promised(statfsSync), symlink: promised(symlinkSync),
  truncate: promised(truncateSync), unlink: promised(unlinkSync), utimes: promised(utimesSync),
  writeFile: async (path, data, options) => (path instanceof FileHandle ? path.writeFile(data, options) : writeFileSync(path, data, options)),
  glob: () => { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The glob method is not implemented"); },
  watch: () => { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The watch method is not implemented"); },
  constants, FileHandle,
};

export default {
  access, accessSync, appendFile, appendFileSync, chmod, chmodSync, chown, chownSync, close, closeSync, copyFile, copyFileSync,
  cp, cpSync, createReadStream, createWriteStream, exists, existsSync, fchmod, fchmodSync, fchown, fchownSync, fdatasync,
  fdatasyncSync, fstat, fstatSync, fsync, fsyncSync, ftruncate, ftruncateSync, futimes, futimesSync, glob, globSync, lchmod,
  lchmodSync, lchown, lchownSync, link, linkSync, lstat, lstatSync, lutimes, lutimesSync, mkdir, mkdirSync, mkdtemp, mkdtempSync,
  open, openSync, openAsBlob, opendir, opendirSync, read, readSync, readdir, readdirSync, readFile, readFileSync, readlink,
  readlinkSync, readv, readvSync, realpath, realpathSync, rename, renameSync, rm, rmSync, rmdir, rmdirSync, stat, statSync,
  statfs, statfsSync, symlink, symlinkSync, truncate, truncateSync, unlink, unlinkSync, unwatchFile, utimes, utimesSync, watch,
  watchFile, write, writeSync, writeFile, writeFileSync, writev, writevSync, Dirent, Dir, Stats, ReadStream, WriteStream,
  FileReadStream, FileWriteStream,
  constants, F_OK, R_OK, W_OK, X_OK, promises,
};
