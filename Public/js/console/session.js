// What every part of the owner console shares: the owner's key, the API client, what the page shows, and
// moving between bots and tabs.
import { apiClient } from "../api.js";
import { openStream } from "../stream.js";
import { h, number, storedCredential } from "../ui.js";

export const ownerKey = storedCredential("switchboard.ownerKey");
export const api = apiClient(ownerKey.get);

/** What the page shows: the bots, the one selected and its tab, or the usage report (mirrored in the URL's hash). */
export const view = { bots: [], botId: null, tab: "hooks", dataSourceId: null, usage: false };

// The workspace's live syncs: one event stream for the console, each `sync` event handed to whoever listens.
const syncListeners = new Set();
let closeSyncStream = null;

/** Calls `listener(job)` for every sync event until the returned function is called. */
export function onSync(listener) {
  syncListeners.add(listener);
  closeSyncStream ??= openStream("/api/v1/events", ownerKey.get, {
    sync: (job) => { for (const each of syncListeners) each(job); },
  });
  return () => syncListeners.delete(listener);
}

export function closeStreams() {
  closeSyncStream?.();
  closeSyncStream = null;
  syncListeners.clear();
}

export const $ = (id) => document.getElementById(id);

export async function refreshUsage() {
  const workspace = await api.get("/api/v1/workspace");
  const used = workspace.storageTokensUsedThisMonth;
  const limit = workspace.monthlyStorageTokenLimit;
  const share = limit > 0 ? Math.min(used / limit, 1) : 1;
  const level = share >= 1 ? "bad" : share >= 0.8 ? "warn" : "";
  const bar = h("div", {
    class: `meter ${level}`,
    role: "meter",
    "aria-valuemin": 0,
    "aria-valuemax": limit,
    "aria-valuenow": used,
    "aria-label": "Storage tokens used this month",
  }, h("span", { style: `width: ${(share * 100).toFixed(1)}%` }));
  $("usage").replaceChildren(
    h("span", {}, workspace.name),
    bar,
    h("span", { id: "usage-text" }, `${number(used)} of ${number(limit)} storage tokens this month`),
  );
}

export function readHash() {
  const [botId, tab, dataSourceId] = location.hash.replace(/^#\/?/, "").split("/");
  const usage = botId === "usage";
  const changed = usage !== view.usage || botId !== view.botId || (tab ?? "hooks") !== view.tab || (dataSourceId ?? null) !== view.dataSourceId;
  view.usage = usage;
  view.botId = usage ? null : botId || null;
  view.tab = ["data-sources", "handoff"].includes(tab) ? tab : "hooks";
  view.dataSourceId = dataSourceId ?? null;
  return changed;
}

export function go(botId, tab = "hooks", dataSourceId = null) {
  location.hash = [botId, tab, dataSourceId].filter(Boolean).join("/");
}
