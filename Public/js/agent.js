// The agent inbox: the Escalated queue, live, with each one's time left; claim, read, reply, transfer, release;
// the agent's own availability; typing both ways.
import { allPages, apiClient, throttled } from "./api.js";
import { openStream } from "./stream.js";
import { busy, h, messageBubble, onSubmit, storedCredential, time, timeLeft, toast, when } from "./ui.js";

const agentToken = storedCredential("switchboard.agentToken");
const api = apiClient(agentToken.get);
const $ = (id) => document.getElementById(id);

/** Conversations by id (Escalated and Active), the one open, and who this agent is once known. */
const inbox = { conversations: new Map(), selectedId: null, shownState: null, me: sessionStorage.getItem("switchboard.agentId"), closeStream: null, agents: [], typingTimer: null };

async function start() {
  onSubmit($("signin-form"), signIn);
  $("sign-out").addEventListener("click", signOut);
  $("my-status").addEventListener("change", async (event) => {
    const select = event.currentTarget;  // gone from the event once it has been dispatched
    try {
      showMe(await api.patch("/api/v1/agents/me", { status: select.value }));
      toast(select.value === "available" ? "You get new conversations again." : "You get no new conversations.", "ok");
    } catch (error) {
      toast(error.message, "error");
    }
  });
  // The time left of every waiting conversation counts down.
  setInterval(() => {
    for (const element of document.querySelectorAll("[data-deadline]")) element.textContent = timeLeft(element.dataset.deadline);
  }, 1000);
  if (agentToken.get()) await showInbox();
  else showSignIn();
}

function showSignIn(message = "") {
  inbox.closeStream?.();
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("agent-token").focus();
}

async function signIn({ token }) {
  agentToken.set(token.trim());
  sessionStorage.removeItem("switchboard.agentId");
  inbox.me = null;
  $("signin-form").reset();
  await showInbox();
}

function signOut() {
  agentToken.clear();
  sessionStorage.removeItem("switchboard.agentId");
  showSignIn();
}

async function showInbox() {
  try {
    showMe(await api.get("/api/v1/agents/me"));
    await loadQueue();
  } catch (error) {
    agentToken.clear();
    return showSignIn(error.status === 401 || error.status === 403 ? "That is not a valid agent token (ak_…)." : error.message);
  }
  $("signin").hidden = true;
  $("app").hidden = false;
  inbox.closeStream?.();
  inbox.closeStream = openStream("/api/v1/events", agentToken.get, {
    // After every (re)connection: reload, so nothing that happened while away is missed.
    ready: () => loadQueue().catch((error) => toast(error.message, "error")),
    conversation: changed,
    message: posted,
    typing: typed,
  }, liveStatus);
}

/** This agent: who they are, their status, and their load against their capacity. */
function showMe(me) {
  inbox.me = me.id;
  sessionStorage.setItem("switchboard.agentId", me.id);
  $("my-status").value = me.status;
  $("my-load").textContent = `${me.activeConversations} of ${me.capacity} active`;
}

async function refreshMe() {
  showMe(await api.get("/api/v1/agents/me"));
}

function liveStatus(status, error) {
  const live = $("live");
  live.className = `live ${status === "live" ? "on" : "off"}`;
  live.textContent = { live: "Live", reconnecting: "Reconnecting…", stopped: "Disconnected" }[status];
  if (status === "stopped") showSignIn(error);
}

async function loadQueue() {
  const [waiting, active, agents] = await Promise.all([
    allPages(api, "/api/v1/conversations?state=Escalated"),
    allPages(api, "/api/v1/conversations?state=Active"),
    allPages(api, "/api/v1/agents"),
  ]);
  inbox.agents = agents;
  inbox.conversations = new Map([...waiting, ...active].map((conversation) => [conversation.id, conversation]));
  renderQueue();
  if (inbox.selectedId) await openConversation(inbox.selectedId, { focus: false });
}

// MARK: Live events

function changed(conversation) {
  const known = inbox.conversations.get(conversation.id);
  if (["Escalated", "Active"].includes(conversation.state)) inbox.conversations.set(conversation.id, conversation);
  else inbox.conversations.delete(conversation.id);
  if (conversation.state === "Escalated" && known?.state !== "Escalated") {
    toast(`${conversation.userEmail ?? "A visitor"} is waiting for a human.`);
  }
  renderQueue();
  if (conversation.state === "Active" && conversation.claimedBy?.id === inbox.me && known?.claimedBy?.id !== inbox.me) {
    toast(`${conversation.userEmail ?? "A visitor"} is yours now.`);
  }
  if (known?.claimedBy?.id === inbox.me || conversation.claimedBy?.id === inbox.me) refreshMe().catch(() => {});
  if (conversation.id !== inbox.selectedId) return;
  renderHeader(conversation);
  // The answer to this agent's own action and the event of it both come here: a state is noted once.
  if (conversation.state === inbox.shownState) return;
  inbox.shownState = conversation.state;
  const note = stateNote(conversation);
  const transcript = document.querySelector(".transcript");
  if (transcript && note) appendTo(transcript, h("p", { class: "note" }, note));
}

function posted({ conversationId, message }) {
  if (conversationId !== inbox.selectedId) return;
  if (message.role === "user") showTyping(null);
  const transcript = document.querySelector(".transcript");
  if (transcript && !transcript.querySelector(`[data-message-id="${message.id}"]`)) appendTo(transcript, messageBubble(message, "Visitor"));
}

/** The visitor (or a colleague) typing in the open conversation; gone after 5 seconds without another. */
function typed({ conversationId, role, name, typing }) {
  if (conversationId !== inbox.selectedId || (role === "agent" && name === inbox.agents.find((a) => a.id === inbox.me)?.name)) return;
  showTyping(typing ? `${role === "user" ? "The visitor" : role === "bot" ? "The bot" : name} is typing…` : null);
}

function showTyping(text) {
  const line = $("typing");
  if (!line) return;
  line.textContent = text ?? "";
  clearTimeout(inbox.typingTimer);
  if (text) inbox.typingTimer = setTimeout(() => { line.textContent = ""; }, 5000);
}

function stateNote(conversation) {
  if (conversation.state === "Active") return `${conversation.claimedBy?.name ?? "An agent"} joined.`;
  if (conversation.state === "Resolved") return "Handed back to the bot.";
  if (conversation.state === "Escalated") return "The visitor asked for a human.";
  return null;
}

// MARK: The queue

function renderQueue() {
  const all = [...inbox.conversations.values()];
  const byAge = (a, b) => (a.escalatedAt ?? a.createdAt).localeCompare(b.escalatedAt ?? b.createdAt);
  const waiting = all.filter((c) => c.state === "Escalated").sort(byAge);
  const active = all.filter((c) => c.state === "Active").sort(byAge);
  $("waiting-count").textContent = waiting.length;
  $("waiting").replaceChildren(...(waiting.length ? waiting.map(queueItem) : [h("li", { class: "empty" }, "No one is waiting. New requests appear here live.")]));
  $("active").replaceChildren(...(active.length ? active.map(queueItem) : [h("li", { class: "empty" }, "No conversation is with an agent.")]));
}

function queueItem(conversation) {
  const mine = conversation.claimedBy && conversation.claimedBy.id === inbox.me;
  return h("li", {}, h("button", {
    type: "button",
    "data-conversation-id": conversation.id,
    "aria-current": conversation.id === inbox.selectedId ? "true" : "false",
    onclick: () => openConversation(conversation.id),
  },
  h("span", { class: "who" }, conversation.userEmail ?? "Visitor",
    h("span", { class: "hint", style: "display: inline" }, time(conversation.escalatedAt ?? conversation.createdAt))),
  h("span", { class: "preview" }, conversation.state === "Active"
    ? (mine ? "With you" : `With ${conversation.claimedBy?.name ?? "an agent"}`)
    : conversation.initialMessage ?? "Asked for a human"),
  deadlineOf(conversation)));
}

/** A waiting conversation's nearest deadline (its first-response SLA or its expiry), counting down. */
function deadlineOf(conversation) {
  if (conversation.state !== "Escalated") return null;
  const [label, deadline] = [["reply due", conversation.slaDueAt], ["expires", conversation.expiresAt]]
    .filter(([, at]) => at).sort((a, b) => a[1].localeCompare(b[1]))[0] ?? [];
  if (!deadline) return null;
  return h("span", { class: "countdown" }, `${label}: `, h("span", { "data-deadline": deadline }, timeLeft(deadline)));
}

// MARK: One conversation

async function openConversation(id, { focus = true } = {}) {
  inbox.selectedId = id;
  renderQueue();
  const main = $("conversation");
  main.replaceChildren(h("p", { class: "loading", role: "status" }, "Loading…"));
  try {
    const [conversation, messages] = await Promise.all([
      api.get(`/api/v1/conversations/${id}`),
      allPages(api, `/api/v1/conversations/${id}/messages`),
    ]);
    if (inbox.selectedId !== id) return;
    const transcript = h("div", { class: "transcript agent-view", role: "log", "aria-live": "polite", "aria-label": "Transcript" },
      ...(messages.length ? messages.map((message) => messageBubble(message, "Visitor")) : [h("p", { class: "note" }, "No messages yet.")]));
    inbox.shownState = conversation.state;
    main.replaceChildren(h("header", { class: "chat-header", id: "chat-header" }), transcript,
      h("p", { id: "typing", class: "typing", role: "status", "aria-live": "polite" }), composer(conversation));
    renderHeader(conversation);
    transcript.scrollTop = transcript.scrollHeight;
    if (focus) main.focus();
  } catch (error) {
    main.replaceChildren(h("p", { class: "error-text", role: "alert", style: "margin: 1rem" }, error.message));
  }
}

function renderHeader(conversation) {
  const header = $("chat-header");
  if (!header) return;
  const mine = conversation.claimedBy?.id === inbox.me;
  const tone = { Escalated: "warn", Active: "ok", Resolved: "muted", Bot: "" }[conversation.state];
  header.replaceChildren(
    h("div", {},
      h("h1", {}, conversation.userEmail ?? "Visitor", " ", h("span", { class: `badge ${tone}`, id: "conversation-state" }, conversation.state)),
      h("p", {}, conversation.state === "Active"
        ? `${mine ? "You have" : `${conversation.claimedBy?.name} has`} this conversation since ${time(conversation.claimedAt)}.`
        : conversation.state === "Escalated" ? `Waiting since ${when(conversation.escalatedAt)}.` : `Channel: ${conversation.channelType}.`)),
    h("div", { class: "actions" },
      conversation.state === "Escalated" ? h("button", { type: "button", class: "primary", id: "claim", onclick: (event) => claim(event.currentTarget, conversation) }, "Claim") : null,
      conversation.state === "Active" && mine ? transferControl(conversation) : null,
      conversation.state === "Active" && mine ? h("button", { type: "button", id: "release", onclick: (event) => release(event.currentTarget, conversation) }, "Release to bot") : null));
  const form = document.getElementById("reply");
  if (form) {
    const canReply = conversation.state === "Active" && mine;
    form.querySelector("textarea").disabled = !canReply;
    form.querySelector("button").disabled = !canReply;
    form.querySelector("textarea").placeholder = canReply ? "Write a reply…" : "Claim the conversation to reply.";
  }
}

async function claim(button, conversation) {
  await busy(button, async () => {
    try {
      const claimed = await api.post(`/api/v1/conversations/${conversation.id}/claim`, {});
      inbox.me = claimed.claimedBy.id;
      sessionStorage.setItem("switchboard.agentId", inbox.me);
      changed(claimed);
      document.querySelector("#reply textarea")?.focus();
    } catch (error) {
      // A lost race says who has it: the server's message names them.
      if (error.status === 409) {
        toast(error.message, "error");
        await loadQueue();
        return;
      }
      throw error;
    }
  });
}

/** Hand the conversation to a colleague. */
function transferControl(conversation) {
  const others = inbox.agents.filter((agent) => agent.id !== inbox.me);
  if (!others.length) return null;
  const select = h("select", { id: "transfer-to", "aria-label": "Transfer to" },
    ...others.map((agent) => h("option", { value: agent.id }, `${agent.name}${agent.connected ? "" : " (offline)"}`)));
  return h("span", { class: "row" }, select,
    h("button", {
      type: "button",
      id: "transfer",
      onclick: async (event) => {
        const button = event.currentTarget;  // gone from the event once it has been dispatched
        await busy(button, async () => {
          const moved = await api.post(`/api/v1/conversations/${conversation.id}/transfer`, { agentId: select.value });
          changed(moved);
          toast(`Handed to ${moved.claimedBy.name}.`, "ok");
        });
      },
    }, "Transfer"));
}

async function release(button, conversation) {
  await busy(button, async () => {
    changed(await api.post(`/api/v1/conversations/${conversation.id}/release`, {}));
    toast("Handed back to the bot.", "ok");
  });
}

function composer(conversation) {
  const text = h("textarea", { id: "reply-text", name: "text", required: true, maxlength: 10000, "aria-label": "Reply", rows: 1 });
  const form = h("form", { class: "composer", id: "reply" }, text, h("button", { type: "submit", class: "primary" }, "Send"));
  // The visitor sees this agent typing (only the claiming agent may say so).
  const typing = throttled((on) => api.post(`/api/v1/conversations/${conversation.id}/typing`, { typing: on }));
  text.addEventListener("input", () => {
    const current = inbox.conversations.get(conversation.id);
    if (current?.state === "Active" && current.claimedBy?.id === inbox.me) typing.now();
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  return onSubmit(form, async ({ text: value }) => {
    if (!value.trim()) return;
    const message = await api.post(`/api/v1/conversations/${conversation.id}/messages`, { text: value });
    typing.stop();
    text.value = "";
    posted({ conversationId: conversation.id, message });
  });
}

function appendTo(transcript, element) {
  transcript.querySelector(".note:only-child")?.remove();
  transcript.append(element);
  transcript.scrollTop = transcript.scrollHeight;
}

start();
