import { AsyncLocalStorage } from "node:async_hooks";
const als = new AsyncLocalStorage();
async function step(n) { await null; return als.getStore().id + n; }
export default {
  fetch(request) {
    return als.run({ id: request.url.length }, async () => {
      const a = await step(1);
      const b = await step(2);
      const c = await step(3);
      return new Response(String(a + b + c + als.getStore().id));
    });
  },
};
