// The API behind the single-page app, for /api/* (the rest is static assets):
//   POST /api/login   {email, password} → {token}: checks the password (PBKDF2) against D1,
//                     opens a session in KV, returns a JWT (HS256) naming the user and session
//   GET  /api/notes   Authorization: Bearer JWT → {user, notes} from D1, if the session is open
//   POST /api/logout  closes the session (the JWT stops working even before it expires)
// The schema and a demo user (demo@example.com / demo-password) are created on first use.

const encoder = new TextEncoder();

function json(body, status = 200) {
  return Response.json(body, { status });
}

function base64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function hmacKey(secret) {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

async function signJwt(claims, secret) {
  const head = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = base64url(encoder.encode(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`${head}.${body}`));
  return `${head}.${body}.${base64url(signature)}`;
}

async function verifyJwt(token, secret) {
  const [head, body, signature] = token.split(".");
  if (!signature) return null;
  const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret), fromBase64url(signature), encoder.encode(`${head}.${body}`));
  if (!ok) return null;
  const claims = JSON.parse(new TextDecoder().decode(fromBase64url(body)));
  return claims.exp > Date.now() / 1000 ? claims : null;
}

async function hashPassword(password, salt) {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(salt), iterations: 10000 }, key, 256);
  return base64url(bits);
}

let schemaReady = null;
function ensureSchema(db) {
  schemaReady ??= (async () => {
    await db.batch([
      db.prepare("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT NOT NULL, salt TEXT NOT NULL, hash TEXT NOT NULL)"),
      db.prepare("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL)"),
    ]);
    const existing = await db.prepare("SELECT id FROM users WHERE email = ?").bind("demo@example.com").first();
    if (existing) return;
    const salt = crypto.randomUUID();
    const { meta } = await db.prepare("INSERT INTO users (email, name, salt, hash) VALUES (?, ?, ?, ?)")
      .bind("demo@example.com", "Demo", salt, await hashPassword("demo-password", salt)).run();
    const insert = db.prepare("INSERT INTO notes (user_id, title) VALUES (?, ?)");
    await db.batch(["Buy milk", "Ship the Jamstack example", "Read the Workers docs"].map((t) => insert.bind(meta.last_row_id, t)));
  })().catch((e) => { schemaReady = null; throw e; });
  return schemaReady;
}

async function login(request, env) {
  const { email, password } = await request.json().catch(() => ({}));
  if (typeof email !== "string" || typeof password !== "string") return json({ error: "Email and password are required." }, 400);
  const user = await env.DB.prepare("SELECT id, name, salt, hash FROM users WHERE email = ?").bind(email).first();
  if (!user || (await hashPassword(password, user.salt)) !== user.hash) return json({ error: "Wrong email or password." }, 401);
  const sid = crypto.randomUUID();
  const ttl = Number(env.SESSION_TTL ?? 3600);
  await env.SESSIONS.put(`session:${sid}`, JSON.stringify({ userId: user.id }), { expirationTtl: ttl });
  const token = await signJwt({ sub: user.id, name: user.name, sid, exp: Math.floor(Date.now() / 1000) + ttl }, env.JWT_SECRET);
  return json({ token });
}

async function authenticate(request, env) {
  const header = request.headers.get("authorization") ?? "";
  const claims = header.startsWith("Bearer ") ? await verifyJwt(header.slice(7), env.JWT_SECRET) : null;
  if (!claims) return null;
  const session = await env.SESSIONS.get(`session:${claims.sid}`, "json");
  return session && session.userId === claims.sub ? claims : null;
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    await ensureSchema(env.DB);
    if (pathname === "/api/login" && request.method === "POST") return login(request, env);
    const claims = await authenticate(request, env);
    if (pathname === "/api/notes" && request.method === "GET") {
      if (!claims) return json({ error: "Please log in." }, 401);
      const { results } = await env.DB.prepare("SELECT id, title FROM notes WHERE user_id = ? ORDER BY id").bind(claims.sub).all();
      return json({ user: { id: claims.sub, name: claims.name }, notes: results });
    }
    if (pathname === "/api/logout" && request.method === "POST") {
      if (claims) await env.SESSIONS.delete(`session:${claims.sid}`);
      return json({ ok: true });
    }
    return json({ error: `No route for ${request.method} ${pathname}` }, 404);
  },
};
