const ITEMS = Array.from({ length: 20 }, (_, i) => ({ id: String(i + 1), name: `item ${i + 1}`, price: (i + 1) * 1.5 }));

export function listItems(params, max) {
  const limit = Math.min(Number(params.get("limit") ?? 10), max);
  const q = params.get("q");
  const items = q ? ITEMS.filter((it) => it.name.includes(q)) : ITEMS;
  return { items: items.slice(0, limit), total: items.length };
}

export function getItem(id) {
  return ITEMS.find((it) => it.id === id) ?? null;
}
