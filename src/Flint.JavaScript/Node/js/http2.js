// node:http2 as workerd has it from 2025-09-01: stubs. Servers and sessions throw ERR_METHOD_NOT_IMPLEMENTED;
// the settings helpers answer as unenv's polyfill does (workerd keeps that), and the constants are Node's.
import bridge from "node-internal:bridge";
import { Buffer } from "node:buffer";
import { constants } from "node-internal:http2_constants";

const { notImplemented } = bridge;
export { constants };

function notImplementedClass(name) {
  return class { constructor() { throw notImplemented(name); } };
}

export function createSecureServer() { throw notImplemented("http2.createSecureServer"); }
export function createServer() { throw notImplemented("http2.createServer"); }
export function connect() { throw notImplemented("http2.connect"); }
export function performServerHandshake() { throw notImplemented("http2.performServerHandshake"); }
export const Http2ServerRequest = notImplementedClass("http2.Http2ServerRequest");
export const Http2ServerResponse = notImplementedClass("http2.Http2ServerResponse");
export function getDefaultSettings() {
  return Object.create({
    headerTableSize: 4096, enablePush: true, initialWindowSize: 65535, maxFrameSize: 16384,
    maxConcurrentStreams: 4294967295, maxHeaderSize: 65535, maxHeaderListSize: 65535, enableConnectProtocol: false,
  });
}
export function getPackedSettings() { return Buffer.alloc(0); }
export function getUnpackedSettings() { return {}; }
export const sensitiveHeaders = Symbol("nodejs.http2.sensitiveHeaders");

export default {
  constants, createSecureServer, createServer, Http2ServerRequest, Http2ServerResponse, connect, getDefaultSettings,
  getPackedSettings, getUnpackedSettings, performServerHandshake, sensitiveHeaders,
};
