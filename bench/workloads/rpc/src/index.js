export default {
  async fetch(request, env) {
    let sum = 0;
    for (let i = 0; i < 100; i++) sum += await env.SVC.add(i, 1);
    return new Response(`sum=${sum}`);
  },
};
