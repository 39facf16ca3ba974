// The dashboard shell: login, navigation (only the views the server offers), hash routing.
"use strict";

const VIEWS = {
  overview: viewOverview,
  complaints: viewComplaints,
  gangs: typeof viewGangs === "function" ? viewGangs : null,
  content: typeof viewContent === "function" ? viewContent : null,
  cases: typeof viewCases === "function" ? viewCases : null,
  import: typeof viewImport === "function" ? viewImport : null,
  audit: typeof viewAudit === "function" ? viewAudit : null,
};
let ME = null;

function route() {
  const [path, search] = location.hash.replace(/^#\/?/, "").split("?");
  return { name: path || "overview", params: Object.fromEntries(new URLSearchParams(search || "")) };
}

const NEEDS = { audit: "read_audit", import: "write" };

function offered(name) {
  return ME && ME.features.includes(name) && VIEWS[name] && (!NEEDS[name] || ME.permissions.includes(NEEDS[name]));
}

function renderNav() {
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  if (!ME) return;
  const current = route().name;
  for (const name of Object.keys(VIEWS).filter(offered)) {
    nav.append(h("a", { href: `#/${name}`, id: `nav-${name}`, class: name === current ? "active" : undefined }, t(name)));
  }
  document.getElementById("whoami").textContent = `${ME.username} · ${ME.role} · ${ME.org}`;
  document.getElementById("logout").hidden = false;
}

async function render() {
  translateStatic(document);
  document.getElementById("lang").textContent = LANG === "zh" ? "EN" : "中文";
  document.title = `清朗 · ${t("title")}`;
  const main = document.getElementById("main");
  disposeCharts();
  main.replaceChildren();
  if (!token()) return showLogin(main);
  // Each render draws into a container of its own: when the address changes again before a
  // view's data has come back, the older view finishes into a container no longer shown
  // instead of over the newer one.
  const root = h("div", { class: "view" });
  main.append(root);
  try {
    if (!ME) ME = await api("/auth/me");
    renderNav();
    const { name, params } = route();
    const view = offered(name) ? VIEWS[name] : VIEWS.overview;
    main.dataset.view = offered(name) ? name : "overview";
    await view(root, ME, params);
  } catch (error) {
    if (error.status === 401) return;
    root.append(h("p", { class: "error", role: "alert" }, `${t("error")}: ${error.message}`));
  }
}

function showLogin(main) {
  ME = null;
  renderNav();
  document.getElementById("whoami").textContent = "";
  document.getElementById("logout").hidden = true;
  main.dataset.view = "login";
  main.append(document.getElementById("login-form").content.cloneNode(true));
  translateStatic(main);
  document.getElementById("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target).entries());
    try {
      const session = await api("/auth/login", { method: "POST", json: { org: form.org || null, username: form.username, password: form.password } });
      sessionStorage.setItem("qinglang.token", session.token);
      render();
    } catch (error) {
      document.getElementById("login-error").textContent = error.message;
    }
  });
}

window.addEventListener("hashchange", render);
window.addEventListener("resize", () => CHARTS.forEach((c) => c.resize()));
window.addEventListener("qinglang:logged-out", () => { ME = null; });
document.getElementById("lang").addEventListener("click", () => { setLang(LANG === "zh" ? "en" : "zh"); render(); });
document.getElementById("logout").addEventListener("click", async () => {
  await api("/auth/logout", { method: "POST" }).catch(() => null);
  sessionStorage.removeItem("qinglang.token");
  ME = null;
  location.hash = "#/overview";
  render();
});
setLang(LANG);
render();
