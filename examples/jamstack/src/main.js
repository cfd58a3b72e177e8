// The single-page app: a login form, then the signed-in user's notes from /api/notes. The JWT the
// API returns is kept in sessionStorage and sent as a bearer token; routes are client-side
// (/login, /notes), which the assets' single-page-application mode serves as index.html.
import "./style.css";

const app = document.querySelector("#app");
const token = () => sessionStorage.getItem("token");

async function api(path, init = {}) {
  const headers = { "content-type": "application/json", ...(token() ? { authorization: `Bearer ${token()}` } : {}) };
  const response = await fetch(path, { ...init, headers });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? response.statusText);
  return body;
}

function go(path) {
  history.pushState(null, "", path);
  render();
}

function renderLogin(message = "") {
  app.innerHTML = `
    <h1>Flint notes</h1>
    <form id="login">
      <label>Email <input name="email" type="email" value="demo@example.com" required /></label>
      <label>Password <input name="password" type="password" required /></label>
      <button type="submit">Log in</button>
      <p class="error" id="error">${message}</p>
    </form>`;
  app.querySelector("#login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const { token: jwt } = await api("/api/login", { method: "POST", body: JSON.stringify(Object.fromEntries(form)) });
      sessionStorage.setItem("token", jwt);
      go("/notes");
    } catch (e) {
      renderLogin(e.message);
    }
  });
}

async function renderNotes() {
  try {
    const { user, notes } = await api("/api/notes");
    app.innerHTML = `
      <h1>Notes of ${user.name}</h1>
      <ul id="notes">${notes.map((n) => `<li>${n.title}</li>`).join("")}</ul>
      <button id="logout">Log out</button>`;
    app.querySelector("#logout").addEventListener("click", async () => {
      await api("/api/logout", { method: "POST" }).catch(() => {});
      sessionStorage.removeItem("token");
      go("/login");
    });
  } catch (e) {
    sessionStorage.removeItem("token");
    history.replaceState(null, "", "/login");
    renderLogin(e.message);
  }
}

function render() {
  if (location.pathname === "/notes" && token()) renderNotes();
  else renderLogin();
}

addEventListener("popstate", render);
render();
