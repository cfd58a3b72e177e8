export default {
  fetch(request) {
    return new Response(`Hello from the service: ${new URL(request.url).pathname}`);
  },
};
