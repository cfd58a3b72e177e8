// The node:http servers of this Worker by the port they listen on: no socket is opened;
// cloudflare:node routes Requests to them (httpServerHandler, handleAsNodeRequest).
export const listening = new Map();
