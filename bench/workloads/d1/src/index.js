// D1 point read: SELECT * FROM items WHERE id = ? on a 10,000-row table (seeded on first use).
const ROWS = 10_000;
let ready;

async function seed(db) {
  await db.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL, stock INTEGER NOT NULL)");
  const { n } = await db.prepare("SELECT count(*) AS n FROM items").first();
  if (n < ROWS) {
    await db.prepare(
      "INSERT OR IGNORE INTO items (id, name, price, stock) " +
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x, 'item-' || x, x * 1.25, x % 100 FROM c",
    ).bind(ROWS).run();
  }
}

export default {
  async fetch(request, env) {
    ready ??= seed(env.DB);
    await ready;
    const id = 1 + Math.floor(Math.random() * ROWS);
    const row = await env.DB.prepare("SELECT * FROM items WHERE id = ?").bind(id).first();
    return Response.json(row);
  },
};
