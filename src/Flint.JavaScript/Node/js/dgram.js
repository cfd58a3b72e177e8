// node:dgram as workerd has it from 2026-01-29: sockets that check their arguments and do nothing
// (a Worker sends no UDP); the getters answer 0 or {}.
import { EventEmitter } from "node:events";
import bridge from "node-internal:bridge";
import { validateObject } from "node-internal:validators";

const { invalidArgType } = bridge;

export function Socket(type, callback) {
  EventEmitter.call(this);
  if (typeof type === "string") type = { type };
  validateObject(type, "type");
  if (callback !== undefined && typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
  return this;
}
Object.setPrototypeOf(Socket.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Socket, EventEmitter);

export function createSocket(type, callback) { return new Socket(type, callback); }

const self = function () { return this; };
const nothing = function () {};
const zero = function () { return 0; };
const empty = function () { return {}; };
Object.assign(Socket.prototype, {
  bind: self, connect: nothing, disconnect: nothing, sendto: nothing, send: nothing, close: self,
  address: empty, remoteAddress: empty, setBroadcast: nothing, setTTL: nothing, setMulticastTTL: nothing,
  setMulticastLoopback: nothing, setMulticastInterface: nothing, addMembership: nothing, dropMembership: nothing,
  addSourceSpecificMembership: nothing, dropSourceSpecificMembership: nothing, ref: self, unref: self,
  setRecvBufferSize: nothing, setSendBufferSize: nothing, getRecvBufferSize: zero, getSendBufferSize: zero,
  getSendQueueSize: zero, getSendQueueCount: zero,
});
Socket.prototype[Symbol.asyncDispose] = async function () {};

export default { createSocket, Socket };
