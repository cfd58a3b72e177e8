export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/api/items") {
      return Response.json({ error: "not found", path: url.pathname }, { status: 404 });
    }
    const name = url.searchParams.get("name") ?? "world";
    const n = Math.max(0, Math.min(50, Number.parseInt(url.searchParams.get("n") ?? "3", 10) || 0));
    const items = [];
    for (let i = 0; i < n; i++) {
      items.push({ id: i + 1, label: `${name}-${i + 1}`, square: (i + 1) * (i + 1), even: i % 2 === 1 });
    }
    const now = Date.now();
    return Response.json({
      greeting: `Hello, ${name}!`,
      n,
      items,
      total: items.reduce((sum, item) => sum + item.square, 0),
      method: request.method,
      timestamp: now,
      iso: new Date(now).toISOString(),
    });
  },
};
