// A bot's hooks: add (from the event catalogue), test, enable, delivery settings (ordering, pace, headers),
// rotate secrets with an overlap, and each one's delivery log with filters and recovery.
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
  const catalogue = (await api.get("/api/v1/hook-types").catch(() => ({ data: [] }))).data;
  panel.replaceChildren(hookForm(bot, dataSources, catalogue, () => refresh()), list);
  const refresh = () => load(list, async () => {
    const hooks = await allPages(api, `/api/v1/bots/${bot.id}/hooks`);
    if (hooks.length === 0) return h("p", { class: "empty" }, "No hooks yet. Add one above to be told when conversations and syncs happen.");
    return hooks.map((hook) => hookCard(bot, hook, dataSources, refresh));
  });
  await refresh();
}

function hookForm(bot, dataSources, catalogue, created) {
  const type = h("select", { id: "hook-type", name: "type" }, ...hookTypes.map(([value, label]) => h("option", { value }, `${label} (${value})`)));
  const about = h("div", { class: "hint", id: "hook-type-about", "aria-live": "polite" });
  const targetField = h("div", { class: "field" }, h("label", { for: "hook-target" }, "Target URL"),
    h("input", { id: "hook-target", name: "targetUrl", type: "url", placeholder: "https://example.com/switchboard", maxlength: 2048 }),
    h("small", {}, "We POST each event here, signed, with retries."));
  const sourceField = h("div", { class: "field" }, h("label", { for: "hook-source" }, "Data source"),
    h("select", { id: "hook-source", name: "dataSourceId" },
      h("option", { value: "" }, "Any data source"),
      ...dataSources.map((source) => h("option", { value: source.id }, source.name))));
  const delivery = deliveryFields("new", {});
  const update = () => {
    const trigger = type.value === "sync.trigger";
    targetField.hidden = trigger;
    targetField.querySelector("input").required = !trigger;
    sourceField.hidden = !type.value.startsWith("sync.");
    sourceField.querySelector("option[value='']").textContent = trigger ? "Choose a data source" : "Any data source";
    delivery.element.hidden = trigger;
    delivery.ordering.hidden = !type.value.startsWith("conversation.");
    const entry = catalogue.find((candidate) => candidate.type === type.value);
    about.replaceChildren(entry ? entry.description : "",
      entry?.payloadSchema ? h("details", {}, h("summary", {}, `Payload schema (${entry.schemaName})`),
        h("pre", { class: "mono" }, JSON.stringify(entry.payloadSchema, null, 2))) : "");
  };
  type.addEventListener("change", update);
  update();
  const form = h("form", { class: "card", id: "new-hook", "aria-labelledby": "new-hook-title" },
    h("h2", { id: "new-hook-title" }, "Add a hook"),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "hook-type" }, "Event"), type),
      targetField, sourceField,
      h("div", { class: "field", style: "flex: 0" }, h("button", { type: "submit", class: "primary" }, "Add hook"))),
    about, delivery.element);
  return onSubmit(form, async (values) => {
    const body = { type: values.type };
    if (values.type !== "sync.trigger") Object.assign(body, { targetUrl: values.targetUrl }, delivery.read(values, false));
    if (!values.type.startsWith("conversation.")) delete body.ordering;
    if (values.type.startsWith("sync.") && values.dataSourceId) body.dataSourceId = values.dataSourceId;
    await api.post(`/api/v1/bots/${bot.id}/hooks`, body);
    form.reset();
    update();
    toast("Hook added.", "ok");
    created();
  });
}

/** The outbound settings: ordering (conversation events), pace, and custom headers, one `Name: value` a line. */
function deliveryFields(id, hook) {
  const ordering = h("div", { class: "field" }, h("label", { for: `hook-ordering-${id}` }, "Ordering"),
    h("select", { id: `hook-ordering-${id}`, name: "ordering" },
      h("option", { value: "none", selected: hook.ordering !== "conversation" }, "As fast as possible"),
      h("option", { value: "conversation", selected: hook.ordering === "conversation" }, "Each conversation in sequence")),
    h("small", {}, "In sequence: a failing target holds that conversation's later events until it succeeds or gives up."));
  const pace = h("div", { class: "field" }, h("label", { for: `hook-pace-${id}` }, "At most per second"),
    h("input", { id: `hook-pace-${id}`, name: "maxPerSecond", type: "number", min: 1, max: 1000, step: 1, placeholder: "no limit", value: hook.maxPerSecond ?? "" }));
  const headers = h("div", { class: "field" }, h("label", { for: `hook-headers-${id}` }, "Extra headers"),
    h("textarea", { id: `hook-headers-${id}`, name: "headers", rows: 2, placeholder: "Authorization: Bearer …" },
      Object.entries(hook.headers ?? {}).map(([name, value]) => `${name}: ${value}`).join("\n")),
    h("small", {}, "One Name: value a line, at most 10."));
  return {
    element: h("div", { class: "row" }, ordering, pace, headers),
    ordering,
    /** The settings as the API takes them; `clearing` sends nulls for emptied fields (an update). */
    read(values, clearing) {
      const body = { ordering: values.ordering };
      if (values.maxPerSecond) body.maxPerSecond = Number(values.maxPerSecond);
      else if (clearing) body.maxPerSecond = null;
      const lines = (values.headers ?? "").split("\n").map((line) => line.trim()).filter(Boolean);
      if (lines.length || clearing) {
        body.headers = Object.fromEntries(lines.map((line) => {
          const colon = line.indexOf(":");
          return colon < 0 ? [line, ""] : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        }));
      }
      return body;
    },
  };
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
  const overlap = h("select", { "aria-label": "Keep the old secret valid for" },
    h("option", { value: "0" }, "old secret stops at once"),
    h("option", { value: "3600" }, "old secret valid 1 hour"),
    h("option", { value: "86400" }, "old secret valid 24 hours"),
    h("option", { value: "604800" }, "old secret valid 7 days"));
  const rotate = h("button", {
    type: "button",
    onclick: async (event) => {
      const button = event.currentTarget;  // gone from the event once it has been dispatched
      const overlapSeconds = Number(overlap.value);
      const ok = await confirmDialog("Rotate the secret?",
        overlapSeconds > 0
          ? "Deliveries are signed with both secrets, and the old trigger URL keeps working, until the overlap ends."
          : hook.type === "sync.trigger"
            ? "The current trigger URL stops working at once. Update every system that calls it."
            : "Receivers that check X-Secret-Key or the signature must be given the new secret.", "Rotate");
      if (!ok) return;
      await busy(button, async () => {
        await api.post(`${path}/rotate-secret`, { overlapSeconds });
        toast(overlapSeconds > 0 ? "Secret rotated; the old one stays valid during the overlap." : "Secret rotated.", "ok");
        refresh();
      });
    },
  }, "Rotate secret");
  const remove = h("button", {
    type: "button",
    class: "danger",
    onclick: async (event) => {
      const button = event.currentTarget;
      if (!(await confirmDialog("Delete this hook?", "Its pending deliveries are dropped.", "Delete hook"))) return;
      await busy(button, async () => { await api.delete(path); refresh(); });
    },
  }, "Delete");
  const log = hook.type === "sync.trigger" ? null : deliveryLog(path);
  const settings = hook.type === "sync.trigger" ? null : settingsForm(path, hook, refresh);
  return h("article", { class: `card hook ${hook.enabled ? "" : "disabled"}`, "data-hook-type": hook.type, "aria-label": `${hookTypeName[hook.type]} hook` },
    h("header", {},
      h("div", {},
        h("h3", {}, hookTypeName[hook.type], " ", h("span", { class: "badge muted mono" }, hook.type), " ",
          h("span", { class: `badge ${hook.enabled ? "ok" : "bad"}` }, hook.enabled ? "Enabled" : "Disabled")),
        h("div", { class: "target" }, hook.targetUrl ?? "", hook.type.startsWith("sync.") ? ` · ${source ? source.name : "any data source"}` : "")),
      h("div", { class: "actions" }, test, toggle, overlap, rotate, remove)),
    hook.type === "sync.trigger" ? null : h("p", { class: "hint hook-settings" },
      hook.ordering === "conversation" ? "Each conversation in sequence" : "As fast as possible",
      hook.maxPerSecond ? ` · at most ${hook.maxPerSecond}/s` : "",
      Object.keys(hook.headers ?? {}).length ? ` · extra headers: ${Object.keys(hook.headers).join(", ")}` : ""),
    hook.previousSecretExpiresAt ? h("p", { class: "hint", "data-overlap": "" }, `The previous secret stays valid until ${when(hook.previousSecretExpiresAt)}.`) : null,
    hook.disabledReason ? h("p", { class: "error-text" }, `Disabled: ${hook.disabledReason}`) : null,
    hook.lastError ? h("p", { class: "hint" }, `Last error: ${hook.lastError}`) : null,
    secretLine("X-Secret-Key", hook.secret),
    secretLine("Signing secret", hook.signingSecret),
    hook.triggerUrl ? secretLine("Trigger URL", hook.triggerUrl) : null,
    result,
    settings,
    log);
}

/** Ordering, pace and headers of an existing hook. */
function settingsForm(path, hook, refresh) {
  const fields = deliveryFields(hook.id, hook);
  fields.ordering.hidden = !hook.type.startsWith("conversation.");
  const form = h("form", {}, fields.element, h("button", { type: "submit", class: "small" }, "Save settings"));
  onSubmit(form, async (values) => {
    const body = fields.read(values, true);
    if (!hook.type.startsWith("conversation.")) delete body.ordering;
    await api.patch(path, body);
    toast("Delivery settings saved.", "ok");
    refresh();
  });
  return h("details", {}, h("summary", {}, "Delivery settings"), form);
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
  const status = h("select", { "aria-label": "Status" }, h("option", { value: "" }, "Any status"),
    ...["pending", "delivering", "succeeded", "failed", "paused"].map((value) => h("option", { value }, value)));
  const since = h("input", { type: "datetime-local", "aria-label": "Created since" });
  const until = h("input", { type: "datetime-local", "aria-label": "Created before" });
  const iso = (input) => input.value ? new Date(input.value).toISOString() : null;
  const refresh = () => load(body, async () => {
    const query = new URLSearchParams({ limit: "50" });
    if (status.value) query.set("status", status.value);
    if (iso(since)) query.set("since", iso(since));
    if (iso(until)) query.set("until", iso(until));
    const page = await api.get(`${hookPath}/deliveries?${query}`);
    if (page.data.length === 0) return h("p", { class: "empty" }, "Nothing here. Events appear as they happen; Test does not.");
    return h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Event"), h("th", {}, "Status"), h("th", { class: "num" }, "Attempts"),
        h("th", {}, "Last answer"), h("th", {}, "Created"), h("th", {}, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, ...page.data.flatMap((delivery) => deliveryRows(hookPath, delivery, refresh))));
  });
  for (const input of [status, since, until]) input.addEventListener("change", refresh);
  const recover = h("button", {
    type: "button",
    class: "small",
    title: "Queue again every failed delivery created in the chosen window",
    onclick: (event) => busy(event.currentTarget, async () => {
      if (!iso(since)) throw new Error("Choose when the outage began (Created since).");
      const window = { since: iso(since) };
      if (iso(until)) window.until = iso(until);
      const { requeued } = await api.post(`${hookPath}/recover`, window);
      toast(`${requeued} failed ${requeued === 1 ? "delivery" : "deliveries"} queued again.`, "ok");
      refresh();
    }),
  }, "Recover failed");
  const details = h("details", { class: "delivery-log" }, h("summary", {}, "Delivery log"), h("div", { class: "actions" },
    status, since, until, recover,
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
      h("td", { class: "mono" }, delivery.event, delivery.sequence ? h("span", { class: "hint" }, ` #${delivery.sequence}`) : null),
      h("td", {}, h("span", { class: `badge ${statusTone[delivery.status] ?? ""}` }, delivery.status)),
      h("td", { class: "num" }, delivery.attemptCount),
      h("td", {}, delivery.lastResponseCode ? `HTTP ${delivery.lastResponseCode}` : delivery.lastError ?? "—"),
      h("td", {}, when(delivery.createdAt)),
      h("td", { class: "actions" }, show, retry)),
    attempts,
  ];
}
