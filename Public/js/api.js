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
  async function request(method, path, { json, body, contentType, signal, headers: extra } = {}) {
    const headers = { Accept: "application/json", ...extra };
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

/** The headers that make a POST safe to retry: the same key for every try of one request. */
function idempotent() {
  // randomUUID needs a secure context; 16 random bytes in hex do as well anywhere.
  const key = crypto.randomUUID?.() ?? [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { headers: { "Idempotency-Key": key } };
}

/**
 * POSTs `json`, trying again (twice, a second apart) when the network failed, with one Idempotency-Key for all
 * tries: a request that reached the server before the connection dropped is answered, not repeated.
 */
export async function postSafely(api, path, json) {
  const options = idempotent();
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.post(path, json, options);
    } catch (error) {
      if (error.status !== 0 || attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Calls `send` at most once per `interval` milliseconds while it keeps being called (a typing indicator), and
 * lets `stop` say at once that it stopped.
 */
export function throttled(send, interval = 2000) {
  let last = 0;
  return {
    now() {
      if (Date.now() - last < interval) return;
      last = Date.now();
      send(true).catch(() => {});
    },
    stop() {
      if (!last) return;
      last = 0;
      send(false).catch(() => {});
    },
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
