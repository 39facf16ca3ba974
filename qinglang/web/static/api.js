// Talking to the API: the session token lives in sessionStorage (gone with the tab).
"use strict";

const API = "/api/v1";

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

function token() { return sessionStorage.getItem("qinglang.token"); }

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(API + path, { method: options.method || "GET", headers, body: options.body });
  if (response.status === 401) {
    sessionStorage.removeItem("qinglang.token");
    window.dispatchEvent(new Event("qinglang:logged-out"));
  }
  if (!response.ok) {
    let body = {};
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    const error = body.error || {};
    throw new ApiError(response.status, error.code || "error", error.message || response.statusText);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("application/json") ? response.json() : response.blob();
}

// A download (export, package): fetched with the token, then saved through a blob link.
async function download(path, method = "GET") {
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  const response = await fetch(API + path, { method, headers });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, (body.error || {}).code, (body.error || {}).message);
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/.exec(disposition);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = match ? decodeURIComponent(match[1]) : "download";
  document.body.appendChild(link);
  link.click();
  link.remove();
  return link.download;
}
