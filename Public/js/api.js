// The API client of the three pages: JSON in and out, errors as `ApiError` with the server's message.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

/** A client that sends `token()` as its bearer credential. */
export function apiClient(token) {
  async function request(method, path, { json, body, contentType, signal } = {}) {
    const headers = { Accept: "application/json" };
    const credential = token();
    if (credential) headers.Authorization = `Bearer ${credential}`;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (contentType) {
      headers["Content-Type"] = contentType;
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body, signal });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, "network", "Could not reach the server. Check your connection and try again.");
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let payload = null;
    try { payload = text ? JSON.parse(text) : null; } catch { payload = null; }
    if (!response.ok) {
      const error = payload?.error;
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? `The server answered ${response.status}.`,
        error?.details,
      );
    }
    return payload;
  }

  return {
    get: (path, options) => request("GET", path, options),
    post: (path, json, options) => request("POST", path, { json, ...options }),
    put: (path, json, options) => request("PUT", path, { json, ...options }),
    patch: (path, json, options) => request("PATCH", path, { json, ...options }),
    delete: (path, options) => request("DELETE", path, options),
    send: request,
  };
}

/** Every item of a paginated list, following `nextCursor`. */
export async function allPages(api, path, limit = 200) {
  const items = [];
  let cursor = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = await api.get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
