// The owner console: sign-in, the bots, and each bot's tabs; the sections live in console/.
import { busy, confirmDialog, copyButton, h, onSubmit, toast } from "./ui.js";
import { allPages } from "./api.js";
import { createAgent, refreshAgents } from "./console/agents.js";
import { renderDataSources } from "./console/data-sources.js";
import { renderHandoff } from "./console/handoff.js";
import { renderHooks } from "./console/hooks.js";
import { $, api, closeStreams, go, ownerKey, readHash, refreshUsage, view } from "./console/session.js";
import { renderUsage } from "./console/usage.js";

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
  closeStreams();
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

// MARK: Navigation

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


// MARK: A bot

function renderMain() {
  refreshBots();
  const main = $("main");
  if (view.usage) {
    renderUsage(main);
    return;
  }
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
  else if (view.tab === "handoff") renderHandoff(bot, panel);
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
            const button = event.currentTarget;  // gone from the event once it has been dispatched
            if (!(await confirmDialog("Delete this bot?", `“${bot.name}”, its hooks, data sources and conversations are deleted.`, "Delete bot"))) return;
            await busy(button, async () => {
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
  const names = [["hooks", "Hooks"], ["data-sources", "Data sources"], ["handoff", "Handoff"]];
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


start();
