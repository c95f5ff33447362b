// The visitor's chat widget: start a conversation, chat, ask for a human, see agents join, type and leave, live;
// rate the conversation after a person helped. Starts and messages carry an Idempotency-Key: a retry after a
// network blip never opens a second conversation or posts twice.
import { apiClient, postSafely, throttled } from "./api.js";
import { openStream } from "./stream.js";
import { h, messageBubble, onSubmit, toast } from "./ui.js";

const $ = (id) => document.getElementById(id);
const botId = new URLSearchParams(location.search).get("bot");
const saved = `switchboard.widget.${botId}`;

/** The visitor's conversation, its token (kept for this tab only) and the last state shown. */
const chat = { id: null, token: null, state: null, agentName: null, closeStream: null, typingTimer: null };
const api = apiClient(() => chat.token);
const typing = throttled((on) => chat.id ? api.post(`/api/v1/public/conversations/${chat.id}/typing`, { typing: on }) : Promise.resolve());

async function start() {
  onSubmit($("composer"), send);
  onSubmit($("escalate-form"), escalate);
  onSubmit($("rating-form"), rate);
  $("message").addEventListener("input", () => typing.now());
  $("talk-to-human").addEventListener("click", () => {
    $("escalate").hidden = false;
    $("email").focus();
  });
  $("escalate-cancel").addEventListener("click", () => {
    $("escalate").hidden = true;
    $("talk-to-human").focus();
  });
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  if (!/^[0-9a-f-]{36}$/.test(botId ?? "")) {
    setStatus("This chat is not set up: the page needs ?bot= and the bot's id.");
    $("composer").querySelector("button").disabled = true;
    $("message").disabled = true;
    $("human-bar").hidden = true;
    return;
  }
  const stored = JSON.parse(sessionStorage.getItem(saved) ?? "null");
  if (stored) {
    Object.assign(chat, stored);
    try {
      await reload();
      listen();
    } catch {
      sessionStorage.removeItem(saved);
      Object.assign(chat, { id: null, token: null, state: null });
    }
  }
  $("message").focus();
}

async function ensureConversation(initialMessage) {
  if (chat.id) return false;
  const started = await postSafely(api, `/api/v1/public/bots/${botId}/conversations`, { channelType: "web", initialMessage });
  chat.id = started.id;
  chat.token = started.visitorToken;
  sessionStorage.setItem(saved, JSON.stringify({ id: chat.id, token: chat.token }));
  showState(started, { quiet: true });
  listen();
  return true;
}

async function send({ text }) {
  if (!text.trim()) return;
  $("message").value = "";
  try {
    if (await ensureConversation(text)) return;
    typing.stop();
    const posted = await postSafely(api, `/api/v1/public/conversations/${chat.id}/messages`, { text });
    append(posted);
    if (posted.reply) append(posted.reply);
  } catch (error) {
    $("message").value = text;
    throw error;
  }
}

async function escalate({ userEmail }) {
  await ensureConversation(undefined);
  const escalated = await api.post(`/api/v1/public/conversations/${chat.id}/escalate`, { userEmail });
  $("escalate").hidden = true;
  showState(escalated);
}

/** The conversation and its transcript as the server has them: at start and after every reconnection. */
async function reload() {
  const conversation = await api.get(`/api/v1/public/conversations/${chat.id}`);
  const transcript = $("transcript");
  transcript.replaceChildren();
  conversation.messages.forEach(append);
  chat.state = null;
  showState(conversation, { quiet: true });
}

function listen() {
  chat.closeStream?.();
  chat.closeStream = openStream(`/api/v1/public/conversations/${chat.id}/events`, () => chat.token, {
    ready: () => reload().catch((error) => toast(error.message, "error")),
    conversation: (conversation) => showState(conversation),
    message: ({ message }) => {
      showTyping(null);
      append(message);
    },
    typing: ({ role, name, typing: on }) => showTyping(on ? (role === "bot" ? "The bot is writing…" : `${name ?? "An agent"} is typing…`) : null),
  }, (status, error) => {
    const live = $("live");
    live.hidden = status === "live";
    live.className = "live off";
    live.textContent = status === "reconnecting" ? "Reconnecting…" : "Disconnected";
    if (error) setStatus(error);
  });
}

function showState(conversation, { quiet = false } = {}) {
  const before = chat.state;
  chat.state = conversation.state;
  const agent = conversation.claimedBy?.name ?? chat.agentName ?? "An agent";
  if (conversation.claimedBy) chat.agentName = conversation.claimedBy.name;
  const status = {
    Bot: "You're chatting with our bot.",
    Escalated: "Waiting for a person to join…",
    Active: `You're chatting with ${agent}.`,
    Resolved: "The bot is back. Ask for a human again at any time.",
  }[conversation.state];
  setStatus(status);
  $("human-bar").hidden = !["Bot", "Resolved"].includes(conversation.state);
  // After a person helped, once: how was it?
  $("rating").hidden = !(conversation.state === "Resolved" && !conversation.rating);
  if (quiet || before === conversation.state) return;
  const note = {
    Escalated: "We've asked a person to join. They'll be with you shortly.",
    Active: `${agent} joined the conversation.`,
    Resolved: `${agent} left the conversation.`,
  }[conversation.state];
  if (note) addNote(note);
}

async function rate({ score, comment }) {
  if (!score) return toast("Choose from 1 to 5 stars.", "error");
  const rated = await api.post(`/api/v1/public/conversations/${chat.id}/rating`, { score: Number(score), comment });
  $("rating").hidden = true;
  addNote(`Thank you for rating this conversation ${rated.rating.score} of 5.`);
}

function showTyping(text) {
  $("typing").textContent = text ?? "";
  clearTimeout(chat.typingTimer);
  if (text) chat.typingTimer = setTimeout(() => { $("typing").textContent = ""; }, 5000);
}

function setStatus(text) {
  $("status").textContent = text;
}

function append(message) {
  const transcript = $("transcript");
  if (transcript.querySelector(`[data-message-id="${message.id}"]`)) return;
  transcript.querySelector(".note:only-child")?.remove();
  transcript.append(messageBubble(message, "You"));
  transcript.scrollTop = transcript.scrollHeight;
}

function addNote(text) {
  const transcript = $("transcript");
  transcript.append(h("p", { class: "note" }, text));
  transcript.scrollTop = transcript.scrollHeight;
}

start();
