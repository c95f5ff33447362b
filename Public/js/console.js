// The owner console: bots, their hooks and data sources, agents, and the month's storage tokens.
import { allPages, apiClient } from "./api.js";
import { busy, confirmDialog, copyButton, h, load, number, onSubmit, storedCredential, toast, when } from "./ui.js";

const ownerKey = storedCredential("switchboard.ownerKey");
const api = apiClient(ownerKey.get);

const hookTypes = [
  ["conversation.started", "Conversation started"],
  ["conversation.escalated", "Conversation escalated"],
  ["conversation.claimed", "Conversation claimed"],
  ["conversation.released", "Conversation released"],
  ["conversation.message", "Every message"],
  ["sync.success", "Sync succeeded"],
  ["sync.failure", "Sync failed"],
  ["sync.trigger", "Sync trigger URL"],
];
const hookTypeName = Object.fromEntries(hookTypes);

/** What the page shows: the bots, the one selected and its tab (mirrored in the URL's hash). */
const view = { bots: [], botId: null, tab: "hooks", dataSourceId: null };

const $ = (id) => document.getElementById(id);

// MARK: Sign in

async function start() {
  $("sign-out").addEventListener("click", signOut);
  onSubmit($("signin-form"), signIn);
  onSubmit($("new-bot"), createBot);
  onSubmit($("new-agent"), createAgent);
  window.addEventListener("hashchange", () => readHash() && renderMain());
  if (!ownerKey.get()) return showSignIn();
  try {
    await refreshUsage();
    await showApp();
  } catch (error) {
    showSignIn(error.status === 401 ? "Your key is no longer valid: sign in again." : error.message);
  }
}

function showSignIn(message = "") {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("owner-key").focus();
}

async function signIn({ key }) {
  ownerKey.set(key.trim());
  try {
    await refreshUsage();
  } catch (error) {
    ownerKey.clear();
    $("signin-error").textContent =
      error.status === 401 || error.status === 403 ? "That is not a valid owner key (sk_…)." : error.message;
    return;
  }
  $("signin-form").reset();
  await showApp();
}

function signOut() {
  ownerKey.clear();
  location.hash = "";
  showSignIn();
}

async function showApp() {
  $("signin").hidden = true;
  $("app").hidden = false;
  readHash();
  await Promise.all([refreshBots(), refreshAgents()]);
  renderMain();
}

// MARK: Workspace usage

async function refreshUsage() {
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

// MARK: Navigation

function readHash() {
  const [botId, tab, dataSourceId] = location.hash.replace(/^#\/?/, "").split("/");
  const changed = botId !== view.botId || (tab ?? "hooks") !== view.tab || (dataSourceId ?? null) !== view.dataSourceId;
  view.botId = botId || null;
  view.tab = tab === "data-sources" ? "data-sources" : "hooks";
  view.dataSourceId = dataSourceId ?? null;
  return changed;
}

function go(botId, tab = "hooks", dataSourceId = null) {
  location.hash = [botId, tab, dataSourceId].filter(Boolean).join("/");
}

async function refreshBots() {
  view.bots = await allPages(api, "/api/v1/bots");
  const list = $("bot-list");
  if (view.bots.length === 0) {
    list.replaceChildren(h("li", { class: "empty" }, "No bots yet: create your first one below."));
    return;
  }
  list.replaceChildren(
    ...view.bots.map((bot) =>
      h("li", {}, h("button", {
        type: "button",
        "aria-current": bot.id === view.botId ? "true" : "false",
        onclick: () => go(bot.id),
      }, bot.name, h("span", { class: "meta" }, bot.humanTakeoverEnabled ? "takeover on" : ""))),
    ),
  );
}

async function createBot({ name }) {
  const bot = await api.post("/api/v1/bots", { name });
  $("new-bot").reset();
  toast(`Bot “${bot.name}” created.`, "ok");
  await refreshBots();
  go(bot.id);
}

// MARK: Agents

async function refreshAgents() {
  const agents = await allPages(api, "/api/v1/agents");
  $("agent-list").replaceChildren(
    ...(agents.length
      ? agents.map((agent) =>
          h("li", {},
            h("span", {}, agent.name, h("span", { class: "hint" }, agent.email)),
            h("button", {
              type: "button",
              class: "small danger",
              "aria-label": `Remove agent ${agent.name}`,
              onclick: async (event) => {
                if (!(await confirmDialog("Remove agent?", `${agent.name}'s token stops working at once.`, "Remove"))) return;
                await busy(event.currentTarget, () => api.delete(`/api/v1/agents/${agent.id}`));
                await refreshAgents();
              },
            }, "Remove")))
      : [h("li", { class: "hint" }, "No agents yet.")]),
  );
}

async function createAgent({ name, email }) {
  const agent = await api.post("/api/v1/agents", { name, email });
  $("new-agent").reset();
  await refreshAgents();
  const dialog = h("dialog", { "aria-labelledby": "agent-token-title" },
    h("h2", { id: "agent-token-title" }, `${agent.name}'s agent token`),
    h("p", {}, "Shown only this once. Give it to the agent to sign in to the inbox."),
    h("div", { class: "secret" }, h("code", { id: "agent-token" }, agent.token), copyButton(agent.token, "Agent token")),
    h("form", { method: "dialog", class: "actions" }, h("button", { class: "primary" }, "Done")));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

// MARK: A bot

function renderMain() {
  refreshBots();
  const main = $("main");
  const bot = view.bots.find((candidate) => candidate.id === view.botId);
  if (!bot) {
    main.replaceChildren(
      h("div", { class: "empty" },
        h("h1", {}, view.bots.length ? "Choose a bot" : "Welcome to Switchboard"),
        h("p", {}, view.bots.length
          ? "Pick a bot on the left to manage its hooks and data sources."
          : "Create a bot on the left: then give it data sources to answer from and hooks to tell your systems what happens.")),
    );
    return;
  }
  const panel = h("div", { id: "tab-panel", role: "tabpanel", "aria-labelledby": `tab-${view.tab}` });
  main.replaceChildren(botHeader(bot), tabs(bot), panel);
  if (view.tab === "hooks") renderHooks(bot, panel);
  else renderDataSources(bot, panel);
}

function botHeader(bot) {
  const takeover = h("input", {
    type: "checkbox",
    id: "takeover",
    checked: bot.humanTakeoverEnabled,
    onchange: async (event) => {
      const input = event.currentTarget;
      try {
        Object.assign(bot, await api.patch(`/api/v1/bots/${bot.id}`, { humanTakeoverEnabled: input.checked }));
        toast(input.checked ? "Visitors can now ask for a human." : "Human takeover is off.", "ok");
        refreshBots();
      } catch (error) {
        input.checked = !input.checked;
        toast(error.message, "error");
      }
    },
  });
  const rename = onSubmit(h("form", { class: "row", hidden: true },
    h("div", { class: "field" }, h("label", { for: "bot-name" }, "Name"),
      h("input", { id: "bot-name", name: "name", value: bot.name, required: true, maxlength: 200 })),
    h("button", { type: "submit", class: "primary" }, "Save")), async ({ name }) => {
    Object.assign(bot, await api.patch(`/api/v1/bots/${bot.id}`, { name }));
    renderMain();
  });
  return h("section", { class: "card", "aria-labelledby": "bot-title" },
    h("header", {},
      h("div", {}, h("h1", { id: "bot-title" }, bot.name),
        h("div", { class: "secret" }, h("span", { class: "label" }, "Bot id"), h("code", {}, bot.id), copyButton(bot.id, "Bot id"))),
      h("div", { class: "actions" },
        h("label", { class: "switch", for: "takeover" }, takeover, "Human takeover"),
        h("a", { class: "button", href: `/widget.html?bot=${bot.id}`, target: "_blank", rel: "noopener" }, "Open chat widget"),
        h("button", { type: "button", onclick: () => { rename.hidden = !rename.hidden; rename.querySelector("input").focus(); } }, "Rename"),
        h("button", {
          type: "button",
          class: "danger",
          onclick: async (event) => {
            if (!(await confirmDialog("Delete this bot?", `“${bot.name}”, its hooks, data sources and conversations are deleted.`, "Delete bot"))) return;
            await busy(event.currentTarget, async () => {
              await api.delete(`/api/v1/bots/${bot.id}`);
              toast("Bot deleted.", "ok");
              await refreshBots();
              go("");
            });
          },
        }, "Delete"))),
    rename);
}

function tabs(bot) {
  const names = [["hooks", "Hooks"], ["data-sources", "Data sources"]];
  const list = h("div", { role: "tablist", "aria-label": "Bot settings" },
    ...names.map(([id, label]) => h("button", {
      type: "button",
      role: "tab",
      id: `tab-${id}`,
      "aria-selected": view.tab === id ? "true" : "false",
      tabindex: view.tab === id ? "0" : "-1",
      onclick: () => go(bot.id, id),
    }, label)));
  // Arrow keys move between tabs, as the ARIA tabs pattern expects.
  list.addEventListener("keydown", (event) => {
    if (!["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    const index = names.findIndex(([id]) => id === view.tab);
    const next = names[(index + (event.key === "ArrowRight" ? 1 : names.length - 1)) % names.length][0];
    go(bot.id, next);
    setTimeout(() => $(`tab-${next}`)?.focus());
  });
  return list;
}

// MARK: Hooks

async function renderHooks(bot, panel) {
  const list = h("div", { id: "hook-list" });
  const dataSources = await allPages(api, `/api/v1/bots/${bot.id}/data-sources`).catch(() => []);
  panel.replaceChildren(hookForm(bot, dataSources, () => refresh()), list);
  const refresh = () => load(list, async () => {
    const hooks = await allPages(api, `/api/v1/bots/${bot.id}/hooks`);
    if (hooks.length === 0) return h("p", { class: "empty" }, "No hooks yet. Add one above to be told when conversations and syncs happen.");
    return hooks.map((hook) => hookCard(bot, hook, dataSources, refresh));
  });
  await refresh();
}

function hookForm(bot, dataSources, created) {
  const type = h("select", { id: "hook-type", name: "type" }, ...hookTypes.map(([value, label]) => h("option", { value }, `${label} (${value})`)));
  const targetField = h("div", { class: "field" }, h("label", { for: "hook-target" }, "Target URL"),
    h("input", { id: "hook-target", name: "targetUrl", type: "url", placeholder: "https://example.com/switchboard", maxlength: 2048 }),
    h("small", {}, "We POST each event here, signed, with retries."));
  const sourceField = h("div", { class: "field" }, h("label", { for: "hook-source" }, "Data source"),
    h("select", { id: "hook-source", name: "dataSourceId" },
      h("option", { value: "" }, "Any data source"),
      ...dataSources.map((source) => h("option", { value: source.id }, source.name))));
  const update = () => {
    const trigger = type.value === "sync.trigger";
    targetField.hidden = trigger;
    targetField.querySelector("input").required = !trigger;
    sourceField.hidden = !type.value.startsWith("sync.");
    sourceField.querySelector("option[value='']").textContent = trigger ? "Choose a data source" : "Any data source";
  };
  type.addEventListener("change", update);
  update();
  const form = h("form", { class: "card", id: "new-hook", "aria-labelledby": "new-hook-title" },
    h("h2", { id: "new-hook-title" }, "Add a hook"),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "hook-type" }, "Event"), type),
      targetField, sourceField,
      h("div", { class: "field", style: "flex: 0" }, h("button", { type: "submit", class: "primary" }, "Add hook"))));
  return onSubmit(form, async (values) => {
    const body = { type: values.type };
    if (values.type !== "sync.trigger") body.targetUrl = values.targetUrl;
    if (values.type.startsWith("sync.") && values.dataSourceId) body.dataSourceId = values.dataSourceId;
    await api.post(`/api/v1/bots/${bot.id}/hooks`, body);
    form.reset();
    update();
    toast("Hook added.", "ok");
    created();
  });
}

function hookCard(bot, hook, dataSources, refresh) {
  const path = `/api/v1/bots/${bot.id}/hooks/${hook.id}`;
  const result = h("div", { class: "test-result", "aria-live": "polite" });
  const source = dataSources.find((candidate) => candidate.id === hook.dataSourceId);
  const toggle = h("button", {
    type: "button",
    onclick: (event) => busy(event.currentTarget, async () => {
      await api.patch(path, { enabled: !hook.enabled });
      toast(hook.enabled ? "Hook disabled." : "Hook enabled: paused deliveries resume.", "ok");
      refresh();
    }),
  }, hook.enabled ? "Disable" : "Enable");
  const test = hook.type === "sync.trigger" ? null : h("button", {
    type: "button",
    onclick: (event) => busy(event.currentTarget, async () => {
      const outcome = await api.post(`${path}/test`, {});
      result.replaceChildren(h("span", {},
        h("span", { class: `badge ${outcome.delivered ? "ok" : "bad"}` }, outcome.delivered ? "Delivered" : "Not delivered"), " ",
        outcome.responseCode ? `HTTP ${outcome.responseCode}` : "no response", ` · ${Math.round(outcome.latencyMs)} ms`,
        outcome.error ? h("span", { class: "error-text" }, ` · ${outcome.error}`) : null));
    }),
  }, "Test");
  const rotate = h("button", {
    type: "button",
    onclick: async (event) => {
      const ok = await confirmDialog("Rotate the secret?",
        hook.type === "sync.trigger"
          ? "The current trigger URL stops working at once. Update every system that calls it."
          : "Receivers that check X-Secret-Key or the signature must be given the new secret.", "Rotate");
      if (!ok) return;
      await busy(event.currentTarget, async () => {
        await api.post(`${path}/rotate-secret`, {});
        toast("Secret rotated.", "ok");
        refresh();
      });
    },
  }, "Rotate secret");
  const remove = h("button", {
    type: "button",
    class: "danger",
    onclick: async (event) => {
      if (!(await confirmDialog("Delete this hook?", "Its pending deliveries are dropped.", "Delete hook"))) return;
      await busy(event.currentTarget, async () => { await api.delete(path); refresh(); });
    },
  }, "Delete");
  const log = hook.type === "sync.trigger" ? null : deliveryLog(path);
  return h("article", { class: `card hook ${hook.enabled ? "" : "disabled"}`, "data-hook-type": hook.type, "aria-label": `${hookTypeName[hook.type]} hook` },
    h("header", {},
      h("div", {},
        h("h3", {}, hookTypeName[hook.type], " ", h("span", { class: "badge muted mono" }, hook.type), " ",
          h("span", { class: `badge ${hook.enabled ? "ok" : "bad"}` }, hook.enabled ? "Enabled" : "Disabled")),
        h("div", { class: "target" }, hook.targetUrl ?? "", hook.type.startsWith("sync.") ? ` · ${source ? source.name : "any data source"}` : "")),
      h("div", { class: "actions" }, test, toggle, rotate, remove)),
    hook.disabledReason ? h("p", { class: "error-text" }, `Disabled: ${hook.disabledReason}`) : null,
    hook.lastError ? h("p", { class: "hint" }, `Last error: ${hook.lastError}`) : null,
    secretLine("X-Secret-Key", hook.secret),
    secretLine("Signing secret", hook.signingSecret),
    hook.triggerUrl ? secretLine("Trigger URL", hook.triggerUrl) : null,
    result,
    log);
}

/** A secret, hidden until asked for, with a copy button. */
function secretLine(label, value) {
  const code = h("code", {}, "•".repeat(24));
  const show = h("button", {
    type: "button",
    class: "small",
    "aria-pressed": "false",
    "aria-label": `Show ${label}`,
    onclick: () => {
      const shown = show.getAttribute("aria-pressed") !== "true";
      show.setAttribute("aria-pressed", String(shown));
      show.textContent = shown ? "Hide" : "Show";
      code.textContent = shown ? value : "•".repeat(24);
    },
  }, "Show");
  return h("div", { class: "secret" }, h("span", { class: "label" }, label), code, show, copyButton(value, label));
}

function deliveryLog(hookPath) {
  const body = h("div", { class: "table-wrap" });
  const refresh = () => load(body, async () => {
    const page = await api.get(`${hookPath}/deliveries?limit=50`);
    if (page.data.length === 0) return h("p", { class: "empty" }, "Nothing delivered yet. Events appear here as they happen; Test does not.");
    return h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Event"), h("th", {}, "Status"), h("th", { class: "num" }, "Attempts"),
        h("th", {}, "Last answer"), h("th", {}, "Created"), h("th", {}, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, ...page.data.flatMap((delivery) => deliveryRows(hookPath, delivery, refresh))));
  });
  const details = h("details", {}, h("summary", {}, "Delivery log"), h("div", { class: "actions" },
    h("button", { type: "button", class: "small", onclick: refresh }, "Refresh")), body);
  details.addEventListener("toggle", () => details.open && refresh());
  return details;
}

const statusTone = { succeeded: "ok", failed: "bad", paused: "warn", pending: "warn", delivering: "" };

function deliveryRows(hookPath, delivery, refresh) {
  const attempts = h("tr", { hidden: true }, h("td", { colspan: 6 }));
  const show = h("button", {
    type: "button",
    class: "small",
    "aria-expanded": "false",
    onclick: async () => {
      const open = show.getAttribute("aria-expanded") !== "true";
      show.setAttribute("aria-expanded", String(open));
      attempts.hidden = !open;
      if (open) await load(attempts.firstChild, async () => {
        const full = await api.get(`${hookPath}/deliveries/${encodeURIComponent(delivery.id)}`);
        if (!full.attempts?.length) return h("p", { class: "hint" }, "No attempt yet.");
        return h("ol", {}, ...full.attempts.map((attempt) => h("li", {},
          `${when(attempt.attemptedAt)} · `, attempt.responseCode ? `HTTP ${attempt.responseCode}` : "no response",
          ` · ${Math.round(attempt.latencyMs)} ms`, attempt.error ? h("span", { class: "error-text" }, ` · ${attempt.error}`) : null)));
      });
    },
  }, "Attempts");
  const retry = ["failed", "paused"].includes(delivery.status) ? h("button", {
    type: "button",
    class: "small",
    onclick: (event) => busy(event.currentTarget, async () => {
      await api.post(`${hookPath}/deliveries/${encodeURIComponent(delivery.id)}/retry`, {});
      toast("Delivery queued again.", "ok");
      refresh();
    }),
  }, "Retry") : null;
  return [
    h("tr", { "data-delivery-status": delivery.status },
      h("td", { class: "mono" }, delivery.event),
      h("td", {}, h("span", { class: `badge ${statusTone[delivery.status] ?? ""}` }, delivery.status)),
      h("td", { class: "num" }, delivery.attemptCount),
      h("td", {}, delivery.lastResponseCode ? `HTTP ${delivery.lastResponseCode}` : delivery.lastError ?? "—"),
      h("td", {}, when(delivery.createdAt)),
      h("td", { class: "actions" }, show, retry)),
    attempts,
  ];
}

// MARK: Data sources

async function renderDataSources(bot, panel) {
  const list = h("ul", { class: "nav-list", id: "source-list" });
  const detail = h("div", { id: "source-detail" });
  panel.replaceChildren(h("div", { class: "split" },
    h("div", {}, h("section", { class: "card", "aria-labelledby": "sources-title" }, h("h2", { id: "sources-title" }, "Data sources"), list), askForm(bot), sourceForm(bot)),
    detail));
  await load(list, async () => {
    const sources = await allPages(api, `/api/v1/bots/${bot.id}/data-sources`);
    if (sources.length === 0) return h("li", { class: "hint" }, "None yet: add one below.");
    return sources.map((source) => h("li", {}, h("button", {
      type: "button",
      "aria-current": source.id === view.dataSourceId ? "true" : "false",
      onclick: () => go(bot.id, "data-sources", source.id),
    }, source.name, h("span", { class: "meta" }, source.type))));
  });
  if (!view.dataSourceId) {
    detail.replaceChildren(h("p", { class: "empty" }, "Choose a data source to edit its rows, sync it and see its documents."));
    return;
  }
  await load(detail, async () => sourceDetail(bot, await api.get(`/api/v1/bots/${bot.id}/data-sources/${view.dataSourceId}`)));
}

/** What the bot would find for a question, across all its synced data sources. */
function askForm(bot) {
  const results = h("div", { id: "ask-results", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "ask" },
    h("h2", {}, "Ask the bot"),
    h("div", { class: "field" }, h("label", { for: "ask-question" }, "Question"),
      h("input", { id: "ask-question", name: "q", required: true, maxlength: 10000, placeholder: "How do I return an item?" }),
      h("small", {}, "Searches the synced documents the way the bot does.")),
    h("button", { type: "submit" }, "Search"),
    results);
  return onSubmit(form, async ({ q }) => {
    const hits = (await api.get(`/api/v1/bots/${bot.id}/search?q=${encodeURIComponent(q)}&limit=3`)).data;
    results.replaceChildren(...(hits.length
      ? hits.map((hit) => h("div", { class: "hit" },
        h("p", {}, h("span", { class: `badge ${hit.answers ? "ok" : "muted"}` }, hit.answers ? "Would answer" : "Too loose"), " ",
          h("strong", {}, hit.source.title ?? hit.source.rowKey), h("span", { class: "hint", style: "display: inline" }, ` · ${hit.source.dataSourceName}`)),
        h("p", { class: "hint" }, truncate(hit.text, 160))))
      : [h("p", { class: "hint" }, "Nothing matches: the bot would say it does not know.")]));
  });
}

function sourceForm(bot) {
  const type = h("select", { id: "source-type", name: "type" },
    h("option", { value: "text" }, "Text rows"), h("option", { value: "csv" }, "CSV upload"), h("option", { value: "url" }, "Web pages (URLs)"));
  const csvFields = h("div", {},
    h("div", { class: "field" }, h("label", { for: "source-key-column" }, "Key column"), h("input", { id: "source-key-column", name: "keyColumn" })),
    h("div", { class: "field" }, h("label", { for: "source-content-columns" }, "Content columns"),
      h("input", { id: "source-content-columns", name: "contentColumns", placeholder: "question, answer" }),
      h("small", {}, "Comma-separated header names.")));
  const update = () => { csvFields.hidden = type.value !== "csv"; };
  type.addEventListener("change", update);
  update();
  const form = h("form", { class: "card", id: "new-source" },
    h("h2", {}, "Add a data source"),
    h("div", { class: "field" }, h("label", { for: "source-name" }, "Name"), h("input", { id: "source-name", name: "name", required: true, maxlength: 200 })),
    h("div", { class: "field" }, h("label", { for: "source-type" }, "Type"), type),
    h("div", { class: "field" }, h("label", { for: "source-chunk" }, "Tokens per document"),
      h("input", { id: "source-chunk", name: "chunkTokens", type: "number", min: 16, max: 8192, value: 512 })),
    csvFields,
    h("button", { type: "submit", class: "primary" }, "Add data source"));
  return onSubmit(form, async (values) => {
    const body = { name: values.name, type: values.type, chunkTokens: Number(values.chunkTokens) };
    if (values.type === "csv") {
      body.keyColumn = values.keyColumn;
      body.contentColumns = values.contentColumns.split(",").map((column) => column.trim()).filter(Boolean);
    }
    const source = await api.post(`/api/v1/bots/${bot.id}/data-sources`, body);
    toast(`Data source “${source.name}” added.`, "ok");
    go(bot.id, "data-sources", source.id);
  });
}

function sourceDetail(bot, source) {
  const base = `/api/v1/bots/${bot.id}/data-sources/${source.id}`;
  const estimate = h("div", { "aria-live": "polite" });
  const rows = h("div", {});
  const history = h("div", { class: "table-wrap" });
  const documents = h("div", { class: "table-wrap" });
  const refreshRows = () => load(rows, () => rowsView(source, base, refreshRows));
  const refreshHistory = () => load(history, () => historyView(base, () => { refreshHistory(); refreshDocuments(); refreshUsage(); }));
  const refreshDocuments = () => load(documents, () => documentsView(base));
  refreshRows();
  refreshHistory();
  refreshDocuments();
  return [
    h("section", { class: "card", "aria-labelledby": "source-title" },
      h("header", {},
        h("div", {}, h("h2", { id: "source-title" }, source.name, " ", h("span", { class: "badge" }, source.type)),
          h("p", { class: "hint" }, `Documents of at most ${number(source.chunkTokens)} tokens.`,
            source.type === "csv" ? ` Key column “${source.keyColumn}”, content from ${source.contentColumns.join(", ")}.` : "")),
        h("div", { class: "actions" },
          h("button", {
            type: "button",
            onclick: (event) => busy(event.currentTarget, async () => {
              estimate.replaceChildren(estimateView(await api.post(`${base}/syncs?dryRun=true`, {})));
            }),
          }, "Estimate"),
          h("button", {
            type: "button",
            class: "primary",
            onclick: (event) => busy(event.currentTarget, async () => {
              const job = await api.post(`${base}/syncs`, {});
              toast(job.status === "queued" ? "Sync queued." : `Sync ${job.status}.`, "ok");
              refreshHistory();
            }),
          }, "Sync now"),
          h("button", {
            type: "button",
            class: "danger",
            onclick: async (event) => {
              if (!(await confirmDialog("Delete this data source?", "Its rows and documents are deleted.", "Delete"))) return;
              await busy(event.currentTarget, async () => { await api.delete(base); go(bot.id, "data-sources"); });
            },
          }, "Delete"))),
      estimate),
    h("section", { class: "card", "aria-labelledby": "rows-title" }, h("h2", { id: "rows-title" }, "Rows"), rows),
    h("section", { class: "card", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "Sync history"), history),
    h("section", { class: "card", "aria-labelledby": "documents-title" }, h("h2", { id: "documents-title" }, "Documents"), documents),
  ];
}

function estimateView(dryRun) {
  return h("div", { class: "card", id: "estimate", style: "margin: .75rem 0 0; box-shadow: none" },
    h("p", {}, h("span", { class: `badge ${dryRun.allowed ? "ok" : "bad"}` }, dryRun.allowed ? "Within the plan" : "Not allowed"), " ",
      `${number(dryRun.modifiedRows)} rows to write, ${number(dryRun.unmodifiedRows)} unchanged, ${number(dryRun.deletedRows)} to delete · `,
      h("strong", {}, `${number(dryRun.totalTokens)} tokens`),
      ` (${number(dryRun.storageTokensUsedThisMonth)} of ${number(dryRun.monthlyStorageTokenLimit)} used this month)`),
    dryRun.reason ? h("p", { class: "error-text" }, dryRun.reason) : null);
}

async function rowsView(source, base, refresh) {
  const rows = await allPages(api, `${base}/rows`);
  const editor = rowEditor(source, base, refresh);
  const table = rows.length === 0
    ? h("p", { class: "empty" }, source.type === "csv" ? "Upload a CSV file to fill this data source." : "No rows yet.")
    : h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Key"), h("th", {}, source.type === "url" ? "URL" : "Title"),
        source.type === "url" ? null : h("th", {}, "Content"), h("th", {}, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, ...rows.map((row) => h("tr", {},
        h("td", { class: "mono" }, row.key),
        h("td", {}, source.type === "url" ? h("a", { href: row.url, target: "_blank", rel: "noopener" }, row.url) : row.title ?? ""),
        source.type === "url" ? null : h("td", {}, truncate(row.content ?? "", 140)),
        h("td", { class: "actions" },
          source.type === "text" ? h("button", { type: "button", class: "small", onclick: () => editor.edit(row) }, "Edit") : null,
          h("button", {
            type: "button",
            class: "small danger",
            "aria-label": `Delete row ${row.key}`,
            onclick: (event) => busy(event.currentTarget, async () => {
              await api.delete(`${base}/rows/${encodeURIComponent(row.key)}`);
              refresh();
            }),
          }, "Delete")))))));
  return [h("p", { class: "hint" }, `${number(rows.length)} rows. Changes take effect at the next sync.`), table, editor.form];
}

function rowEditor(source, base, saved) {
  if (source.type === "csv") {
    const file = h("input", { id: "csv-file", name: "file", type: "file", accept: ".csv,text/csv", required: true });
    const form = h("form", { class: "row", style: "margin-top: .75rem" },
      h("div", { class: "field" }, h("label", { for: "csv-file" }, "CSV file (replaces every row)"), file),
      h("div", { class: "field", style: "flex: 0" }, h("button", { type: "submit", class: "primary" }, "Upload")));
    onSubmit(form, async () => {
      const written = await api.send("PUT", `${base}/rows`, { body: file.files[0], contentType: "text/csv" });
      toast(`${number(written.written)} rows uploaded.`, "ok");
      saved();
    });
    return { form, edit() {} };
  }
  const isURL = source.type === "url";
  const form = h("form", { style: "margin-top: .75rem", "aria-label": isURL ? "Add a page" : "Add or edit a row" },
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "row-key" }, "Key"), h("input", { id: "row-key", name: "key", required: true, maxlength: 200 })),
      isURL
        ? h("div", { class: "field" }, h("label", { for: "row-url" }, "Page URL"), h("input", { id: "row-url", name: "url", type: "url", required: true }))
        : h("div", { class: "field" }, h("label", { for: "row-title" }, "Title"), h("input", { id: "row-title", name: "title", maxlength: 500 }))),
    isURL ? null : h("div", { class: "field" }, h("label", { for: "row-content" }, "Content"), h("textarea", { id: "row-content", name: "content", required: true })),
    h("button", { type: "submit", class: "primary" }, isURL ? "Add page" : "Save row"));
  onSubmit(form, async (values) => {
    const row = isURL ? { key: values.key, url: values.url } : { key: values.key, title: values.title || undefined, content: values.content };
    await api.post(`${base}/rows`, { rows: [row] });
    toast(`Row “${values.key}” saved.`, "ok");
    saved();
  });
  return {
    form,
    edit(row) {
      form.elements.key.value = row.key;
      form.elements.title.value = row.title ?? "";
      form.elements.content.value = row.content ?? "";
      form.elements.content.focus();
    },
  };
}

async function historyView(base, finished) {
  const jobs = (await api.get(`${base}/syncs?limit=20`)).data;
  if (jobs.length === 0) return h("p", { class: "empty" }, "Never synced. Sync now to turn the rows into documents.");
  // A job still queued or running is looked at again until it ends.
  if (jobs.some((job) => job.status === "queued" || job.status === "running")) setTimeout(finished, 1000);
  const tone = { succeeded: "ok", failed: "bad", queued: "warn", running: "" };
  return h("table", { id: "sync-history" },
    h("thead", {}, h("tr", {}, h("th", {}, "Status"), h("th", {}, "Started"), h("th", { class: "num" }, "Modified"),
      h("th", { class: "num" }, "Unmodified"), h("th", { class: "num" }, "Rows"), h("th", { class: "num" }, "Documents"), h("th", { class: "num" }, "Tokens"))),
    h("tbody", {}, ...[...jobs].reverse().map((job) => h("tr", { "data-sync-status": job.status },
      h("td", {}, h("span", { class: `badge ${tone[job.status]}` }, job.status), " ", h("span", { class: "hint", style: "display: inline" }, job.trigger)),
      h("td", {}, when(job.startedAt ?? job.createdAt)),
      ...(job.results
        ? [job.results.modifiedRows, job.results.unmodifiedRows, job.results.totalDataSourceRows, job.results.totalDocuments, job.results.totalTokens]
          .map((value) => h("td", { class: "num" }, number(value)))
        : [h("td", { colspan: 5, class: job.reason ? "error-text" : "hint" }, job.reason ?? "…")])))));
}

async function documentsView(base) {
  const page = await api.get(`${base}/documents?limit=50`);
  if (page.data.length === 0) return h("p", { class: "empty" }, "No documents yet.");
  return [
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Row"), h("th", { class: "num" }, "Part"), h("th", { class: "num" }, "Tokens"), h("th", {}, "Text"))),
      h("tbody", {}, ...page.data.map((document) => h("tr", {},
        h("td", { class: "mono" }, document.rowKey), h("td", { class: "num" }, document.position + 1),
        h("td", { class: "num" }, number(document.tokens)), h("td", {}, truncate(document.text, 200)))))),
    page.nextCursor ? h("p", { class: "hint" }, "Showing the first 50 documents.") : null,
  ];
}

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

start();
