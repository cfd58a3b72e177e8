const VALUE = "value-" + "x".repeat(94); // 100 bytes

export default {
  async fetch(request, env) {
    let value = await env.KV.get("bench-key");
    if (value === null) {
      await env.KV.put("bench-key", VALUE);
      value = VALUE;
    }
    return new Response(value);
  },
};
