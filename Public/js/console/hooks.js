// A bot's hooks: add, test, enable, rotate secrets, and each one's delivery log.
import { busy, confirmDialog, copyButton, h, load, onSubmit, toast, when } from "../ui.js";
import { allPages } from "../api.js";
import { api } from "./session.js";

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

export async function renderHooks(bot, panel) {
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
