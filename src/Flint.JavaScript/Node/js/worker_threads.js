// node:worker_threads as workerd has it from 2026-03-17: a Worker is its only thread, so this is the main
// thread with no parent; starting a thread throws ERR_METHOD_NOT_IMPLEMENTED, messaging helpers are no-ops.
import bridge from "node-internal:bridge";
import { EventEmitter } from "node:events";

const { notImplemented } = bridge;

export const MessageChannel = globalThis.MessageChannel;
export const MessagePort = globalThis.MessagePort;

export class BroadcastChannel {
  constructor() { throw notImplemented("BroadcastChannel"); }
}

export class Worker extends EventEmitter {
  stdin = null;
  threadName = "workerd";
  constructor() {
    super();
    throw notImplemented("Worker");
  }
  cpuUsage() { return Promise.reject(notImplemented("Worker.cpuUsage")); }
  postMessage() {}
  async postMessageToThread() {}
  ref() {}
  unref() {}
  async terminate() { throw notImplemented("Worker.terminate"); }
  async getHeapSnapshot() { throw notImplemented("Worker.getHeapSnapshot"); }
  async getHeapStatistics() { throw notImplemented("Worker.getHeapStatistics"); }
  async startCpuProfile() { throw notImplemented("Worker.startCpuProfile"); }
  async startHeapProfile() { throw notImplemented("Worker.startHeapProfile"); }
  async [Symbol.asyncDispose]() {}
}

const environmentData = new Map();
export function getEnvironmentData(key) { return environmentData.get(key); }
export function setEnvironmentData(key, value) { environmentData.set(key, value); }
export const isMainThread = true;
export function isMarkedAsUntransferable() { return false; }
export function markAsUntransferable() {}
export function markAsUncloneable() {}
export function moveMessagePortToContext() { return new MessagePort(); }
export const parentPort = null;
export function receiveMessageOnPort() { return undefined; }
export const SHARE_ENV = Symbol.for("nodejs.worker_threads.SHARE_ENV");
export const resourceLimits = {};
export const threadId = 0;
export const workerData = null;
export function postMessageToThread() { throw notImplemented("postMessageToThread"); }
export const isInternalThread = false;

export default {
  BroadcastChannel, MessageChannel, MessagePort, Worker, SHARE_ENV, getEnvironmentData, isMainThread, isMarkedAsUntransferable,
  markAsUntransferable, markAsUncloneable, moveMessagePortToContext, parentPort, receiveMessageOnPort, resourceLimits,
  setEnvironmentData, postMessageToThread, threadId, workerData, isInternalThread,
};
