// A bot's handoff: how escalations reach agents, its timers and the note a visitor gets when nobody came, and
// the ratings visitors gave, with their average.
import { allPages } from "../api.js";
import { h, onSubmit, toast, when } from "../ui.js";
import { api } from "./session.js";

export async function renderHandoff(bot, panel) {
  panel.replaceChildren(settingsCard(bot), h("section", { class: "card", id: "ratings", "aria-labelledby": "ratings-title" },
    h("h2", { id: "ratings-title" }, "Ratings"), h("p", { class: "loading" }, "Loading…")));
  try {
    await renderRatings(bot);
  } catch (error) {
    toast(error.message, "error");
  }
}

/** A timer field: whole seconds, blank for off. */
function seconds(id, label, value, help) {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name: id, type: "number", min: 5, max: 604800, step: 1, value: value ?? "", placeholder: "Off" }),
    h("small", {}, help));
}

function settingsCard(bot) {
  const assignment = h("select", { id: "assignment", name: "assignment" },
    h("option", { value: "claim", selected: bot.assignment === "claim" }, "Agents claim from the queue"),
    h("option", { value: "auto", selected: bot.assignment === "auto" }, "Assign automatically to an available agent"));
  const form = h("form", { id: "handoff-form", "aria-label": "Handoff settings" },
    h("div", { class: "field" }, h("label", { for: "assignment" }, "Escalations"), assignment,
      h("small", {}, "Automatic: the available, connected agent with the fewest active conversations under their capacity gets it at once; the rest wait in order.")),
    h("div", { class: "row" },
      seconds("escalationTimeoutSeconds", "Give up waiting after (seconds)", bot.escalationTimeoutSeconds, "Unclaimed that long: back to the bot, which tells the visitor."),
      seconds("firstResponseSlaSeconds", "First response due within (seconds)", bot.firstResponseSlaSeconds, "Past it, conversation.sla_breached fires once."),
      seconds("idleReleaseSeconds", "Release when quiet for (seconds)", bot.idleReleaseSeconds, "Nobody wrote that long: handed back to the bot.")),
    h("div", { class: "field" },
      h("label", { for: "escalationExpiredMessage" }, "What the bot says when nobody came"),
      h("textarea", { id: "escalationExpiredMessage", name: "escalationExpiredMessage", rows: 2, maxlength: 1000 }, bot.escalationExpiredMessage),
      h("small", {}, "{email} becomes the visitor's address.")),
    h("button", { type: "submit", class: "primary" }, "Save handoff settings"));
  onSubmit(form, async (fields) => {
    const timer = (name) => (fields[name] === "" ? null : Number(fields[name]));
    Object.assign(bot, await api.patch(`/api/v1/bots/${bot.id}`, {
      assignment: fields.assignment,
      escalationTimeoutSeconds: timer("escalationTimeoutSeconds"),
      firstResponseSlaSeconds: timer("firstResponseSlaSeconds"),
      idleReleaseSeconds: timer("idleReleaseSeconds"),
      escalationExpiredMessage: fields.escalationExpiredMessage.trim() || null,
    }));
    toast("Handoff settings saved.", "ok");
  });
  return h("section", { class: "card", "aria-labelledby": "handoff-title" }, h("h2", { id: "handoff-title" }, "Handoff"), form);
}

async function renderRatings(bot) {
  const first = await api.get(`/api/v1/bots/${bot.id}/ratings?limit=200`);
  const rated = first.nextCursor ? await allPages(api, `/api/v1/bots/${bot.id}/ratings`) : first.data;
  const card = document.getElementById("ratings");
  if (!card) return;
  const stars = (score) => "★".repeat(score) + "☆".repeat(5 - score);
  card.replaceChildren(
    h("h2", { id: "ratings-title" }, "Ratings"),
    first.count
      ? h("p", { class: "rating-summary", id: "rating-average" },
        `${first.average.toFixed(1)} of 5`, h("span", { class: "hint" }, `average of ${first.count} rating${first.count === 1 ? "" : "s"}`))
      : h("p", { class: "hint", id: "rating-average" }, "No ratings yet: visitors may rate a conversation once a person released it."),
    rated.length
      ? h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Rating"), h("th", {}, "Comment"), h("th", {}, "Visitor"), h("th", {}, "Rated"))),
        h("tbody", {}, ...rated.slice().reverse().map((conversation) => h("tr", {},
          h("td", { "aria-label": `${conversation.rating.score} of 5` }, stars(conversation.rating.score)),
          h("td", {}, conversation.rating.comment ?? "—"),
          h("td", {}, conversation.userEmail ?? "—"),
          h("td", {}, when(conversation.rating.ratedAt)))))))
      : null);
}
