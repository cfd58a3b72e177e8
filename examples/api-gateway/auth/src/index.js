// The auth service: called by the gateway over JavaScript RPC, never over HTTP.
import { WorkerEntrypoint } from "cloudflare:workers";
import { signJwt } from "./jwt.js";

const accounts = {
  ada: { password: "lovelace", permissions: ["users:read", "billing:read"] },
  alan: { password: "turing", permissions: ["users:read"] },
};

export default class Auth extends WorkerEntrypoint {
  /** A signed token for one hour, or null when the credentials are wrong. */
  async login(user, password) {
    const account = accounts[user];
    if (account === undefined || account.password !== password) return null;
    return await signJwt({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }, this.env.JWT_SECRET);
  }

  permissions(user) {
    return accounts[user]?.permissions ?? [];
  }

  fetch() {
    return new Response("The auth service answers RPC calls only.", { status: 404 });
  }
}
