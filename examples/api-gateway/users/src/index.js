const profiles = {
  ada: { id: "ada", name: "Ada Lovelace", role: "analyst" },
  alan: { id: "alan", name: "Alan Turing", role: "engineer" },
};

export default {
  fetch(request) {
    const id = new URL(request.url).pathname.slice("/users/".length);
    const profile = profiles[id];
    if (profile === undefined) return Response.json({ error: `no user ${id}` }, { status: 404 });
    return Response.json({ ...profile, requestedBy: request.headers.get("x-user") });
  },
};
