// Bindings the host serves (KV namespaces, D1 databases, …). Each kind registers a factory
// that builds its JavaScript face from a descriptor {name, kind, index, …}; the face validates
// arguments here, with Cloudflare's messages, and crosses to the host once per call.

const bindingFactories = new Map(); // kind -> (descriptor) => object

function registerBindingKind(kind, factory) {
  bindingFactories.set(kind, factory);
}

/**
 * Calls method `method` of binding `index` in the host. `args` is a string (often JSON), `bytes`
 * an optional Uint8Array, `stream` an optional ReadableStream of bytes the host reads, and
 * `hostStream` the id of an unread host body (a request or fetch body) the host reads itself.
 * Resolves to { text, bytes, stream } where stream is a ReadableStream or null.
 */
function callBinding(index, method, args, bytes = null, stream = null, hostStream = 0) {
  if (bytes === null && stream === null && hostStream === 0) {
    // Some calls (a cached D1 read) the host answers on the spot, sparing two thread hops.
    const text = ops.bindingCallInline(index, method, args);
    if (text !== null) return Promise.resolve({ text, bytes: null, stream: null });
  }
  const streamId = stream === null ? 0 : registerJsStream(stream);
  // The event the call is made for: the host cancels it if that request's client goes away.
  const eventId = currentEvent?.id ?? 0;
  return opAsync((id) => ops.bindingCall(id, index, method, args, bytes, streamId, eventId, hostStream));
}

/** The host settles a binding call: text, bytes and a host stream id (0 when none). */
function completeBinding(id, text, bytes, streamId, socketId) {
  completeOp(id, { text: text ?? null, bytes: bytes ?? null, stream: streamId > 0 ? hostBodyStream(streamId) : null, socket: socketId });
}

/** env entries for the host's bindings; a kind without a face is reported, not hidden. */
function createBindings(descriptors, target) {
  for (const d of descriptors) {
    const factory = bindingFactories.get(d.kind);
    if (factory === undefined) throw new Error(`Flint cannot provide binding "${d.name}" of kind "${d.kind}".`);
    const face = factory(d);
    // An internal binding serves a global API (the Cache API), not an env entry.
    if (d.internal === true) continue;
    Object.defineProperty(target, d.name, { value: face, writable: true, enumerable: true, configurable: true });
  }
}
