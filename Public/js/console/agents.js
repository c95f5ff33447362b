// The workspace's agents: list (with their status, presence and load), add (the token is shown once), set
// capacity, remove.
import { busy, confirmDialog, copyButton, h, toast } from "../ui.js";
import { $, api } from "./session.js";
import { allPages } from "../api.js";

export async function refreshAgents() {
  const agents = await allPages(api, "/api/v1/agents");
  $("agent-list").replaceChildren(
    ...(agents.length
      ? agents.map((agent) =>
          h("li", { "data-agent-id": agent.id },
            h("span", {}, agent.name,
              h("span", { class: "hint" }, agent.email),
              h("span", { class: "hint agent-load" },
                `${agent.connected ? "online" : "offline"} · ${agent.status} · ${agent.activeConversations} of `,
                h("input", {
                  type: "number",
                  min: 1,
                  max: 100,
                  value: agent.capacity,
                  class: "capacity",
                  "aria-label": `${agent.name}'s capacity`,
                  onchange: async (event) => {
                    const input = event.currentTarget;  // gone from the event once it has been dispatched
                    try {
                      await api.patch(`/api/v1/agents/${agent.id}`, { capacity: Number(input.value) });
                    } catch (error) {
                      input.value = agent.capacity;
                      toast(error.message, "error");
                    }
                  },
                }),
                " active")),
            h("button", {
              type: "button",
              class: "small danger",
              "aria-label": `Remove agent ${agent.name}`,
              onclick: async (event) => {
                const button = event.currentTarget;  // gone from the event once it has been dispatched
                if (!(await confirmDialog("Remove agent?", `${agent.name}'s token stops working at once.`, "Remove"))) return;
                await busy(button, () => api.delete(`/api/v1/agents/${agent.id}`));
                await refreshAgents();
              },
            }, "Remove")))
      : [h("li", { class: "hint" }, "No agents yet.")]),
  );
}

export async function createAgent({ name, email }) {
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
