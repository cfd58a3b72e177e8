export default {
  fetch(request, env) {
    return env.SVC.fetch(request);
  },
};
