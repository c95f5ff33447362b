// Server-Sent Events over fetch, so the stream can carry the same bearer credential as the API.
// Reconnects with backoff; after every (re)connection the server sends `ready` and the page reloads
// its snapshot, so an event missed while disconnected is never missed for good.

const quietLimit = 45_000; // the server sends a heartbeat every 15 s

/**
 * Opens `path` and calls `handlers[event](data)` for each event. `onStatus("live" | "reconnecting" | "stopped", error?)`.
 * Returns a function that closes the stream.
 */
export function openStream(path, token, handlers, onStatus = () => {}) {
  let controller = null;
  let closed = false;
  let retryDelay = 2000;
  let failures = 0;

  async function connect() {
    while (!closed) {
      controller = new AbortController();
      let watchdog = null;
      const resetWatchdog = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), quietLimit);
      };
      try {
        const response = await fetch(path, {
          headers: { Accept: "text/event-stream", Authorization: `Bearer ${token()}` },
          signal: controller.signal,
          cache: "no-store",
        });
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          const body = await response.json().catch(() => null);
          closed = true;
          onStatus("stopped", body?.error?.message ?? `The server answered ${response.status}.`);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        resetWatchdog();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          resetWatchdog();
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            dispatch(frame);
          }
        }
      } catch (error) {
        if (closed) return;
      } finally {
        clearTimeout(watchdog);
      }
      if (closed) return;
      failures += 1;
      onStatus("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryDelay * 2 ** Math.min(failures - 1, 4), 30_000)));
    }
  }

  function dispatch(frame) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":") || line === "") continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "retry" && /^\d+$/.test(value)) retryDelay = Number(value);
    }
    // A frame without data (the heartbeat comment) dispatches nothing, as EventSource does.
    if (!data.length) return;
    if (event === "ready") {
      failures = 0;
      onStatus("live");
    }
    const handler = handlers[event];
    if (!handler) return;
    try {
      handler(data.length ? JSON.parse(data.join("\n")) : null);
    } catch (error) {
      console.error("event handler failed", event, error);
    }
  }

  connect();
  return () => {
    closed = true;
    controller?.abort();
  };
}
