// node:tty as workerd has it from 2026-03-17: nothing is a terminal; ReadStream and WriteStream are
// net.Socket-based objects that report no size and no colours.
import { Socket } from "node:net";

export function isatty() { return false; }

export function ReadStream(fd) {
  this.fd = fd;
  this.isRaw = false;
  this.isTTY = false;
  return this;
}
Object.setPrototypeOf(ReadStream.prototype, Socket.prototype);
Object.setPrototypeOf(ReadStream, Socket);
ReadStream.prototype.setRawMode = function (mode) { this.isRaw = mode; return this; };

export function WriteStream(fd) {
  this.fd = fd;
  this.columns = 0;
  this.rows = 0;
  return this;
}
Object.setPrototypeOf(WriteStream.prototype, Socket.prototype);
Object.setPrototypeOf(WriteStream, Socket);
WriteStream.prototype.isTTY = true;
WriteStream.prototype.getColorDepth = function () { return 8; };
WriteStream.prototype.hasColors = function () { return false; };
WriteStream.prototype._refreshSize = function () {};
const callBack = (callback) => { if (typeof callback === "function") callback(); return false; };
WriteStream.prototype.cursorTo = function (x, y, callback) {
  if (typeof y === "function") y(); else if (typeof callback === "function") callback();
  return false;
};
WriteStream.prototype.moveCursor = function (dx, dy, callback) { return callBack(callback); };
WriteStream.prototype.clearLine = function (dir, callback) { return callBack(callback); };
WriteStream.prototype.clearScreenDown = function (callback) { return callBack(callback); };
WriteStream.prototype.getWindowSize = function () { return [this.columns ?? 0, this.rows ?? 0]; };

export default { isatty, ReadStream, WriteStream };
