// Small DOM helpers shared by the pages: building elements, toasts, busy buttons, copy, confirm.

/** `h("button", { class: "primary", onclick }, "Save")` — attributes, properties (on…), children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "value") element.value = value;
    else if (name === "checked") element.checked = value;
    // Through the CSSOM: the Content-Security-Policy (style-src 'self') refuses style attributes.
    else if (name === "style") element.style.cssText = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Shows a message for a few seconds in a live region that screen readers announce. */
export function toast(message, kind = "info") {
  let region = document.getElementById("toasts");
  if (!region) {
    region = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  const item = h("div", { class: `toast ${kind}` }, message);
  region.append(item);
  // Only the latest few stay, so toasts never cover the page.
  while (region.children.length > 3) region.firstChild.remove();
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 3000);
}

/** Runs `action` with the button marked busy; any error is shown as its message, never swallowed. */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } catch (error) {
    toast(error.message, "error");
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** A form's submit runs `action(values)` with its submit button busy. */
export function onSubmit(form, action) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]") ?? form.querySelector("button");
    busy(button, () => action(Object.fromEntries(new FormData(form))));
  });
  return form;
}

export function copyButton(text, what) {
  return h(
    "button",
    {
      type: "button",
      class: "small",
      "aria-label": `Copy ${what}`,
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(text);
          toast(`${what} copied.`, "ok");
        } catch {
          toast(`Could not copy: select the ${what.toLowerCase()} and copy it by hand.`, "error");
        }
      },
    },
    "Copy",
  );
}

/** A modal yes/no question; resolves true when confirmed. */
export function confirmDialog(title, text, confirmLabel = "Confirm") {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { "aria-labelledby": "dialog-title" },
      h("h2", { id: "dialog-title" }, title),
      h("p", {}, text),
      h(
        "form",
        { method: "dialog", class: "actions" },
        h("button", { value: "cancel", autofocus: true }, "Cancel"),
        h("button", { value: "confirm", class: "primary" }, confirmLabel),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function when(timestamp) {
  if (!timestamp) return "—";
  return new Date(timestamp).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function time(timestamp) {
  return new Date(timestamp).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** How long until `deadline`, as "4:05 left", or how long past it. */
export function timeLeft(deadline, now = Date.now()) {
  const seconds = Math.round((new Date(deadline) - now) / 1000);
  const span = Math.abs(seconds);
  const text = span >= 3600 ? `${Math.floor(span / 3600)} h ${Math.floor((span % 3600) / 60)} min`
    : `${Math.floor(span / 60)}:${String(span % 60).padStart(2, "0")}`;
  return seconds >= 0 ? `${text} left` : `${text} over`;
}

export function number(value) {
  return new Intl.NumberFormat().format(value);
}

/** "1 row", "2 rows": a count with its noun. */
export function counted(value, noun) {
  return `${number(value)} ${value === 1 ? noun : `${noun}s`}`;
}

/** A transcript message; `visitorName` is how the visitor is called on this page. Bot replies list their sources. */
export function messageBubble(message, visitorName) {
  const from = { user: visitorName, bot: "Bot", agent: message.agent?.name ?? "Agent" }[message.role];
  const sources = message.sources?.length
    ? h("ul", { class: "sources", "aria-label": "Sources" }, ...message.sources.map((source) => {
      const name = source.title ?? source.rowKey;
      return h("li", {}, source.url ? h("a", { href: source.url, target: "_blank", rel: "noopener" }, name) : name);
    }))
    : null;
  return h("div", { class: `bubble ${message.role}`, "data-message-id": message.id },
    h("span", { class: "from" }, `${from} · ${time(message.createdAt)}`), withoutSourcesLine(message), sources);
}

/** The text as written, less the "Sources: …" line that the list below the bubble shows better. */
function withoutSourcesLine(message) {
  return message.sources?.length ? message.text.replace(/\n\nSources: [^\n]*$/, "") : message.text;
}

/** Replaces a container's content with a loading line, then with what `render` returns (or the error). */
export async function load(container, render) {
  container.replaceChildren(h("p", { class: "loading", role: "status" }, "Loading…"));
  try {
    container.replaceChildren(...[await render()].flat());
  } catch (error) {
    container.replaceChildren(h("p", { class: "error-text", role: "alert" }, error.message));
  }
}

/** A credential kept for this tab only (never in a URL). */
export function storedCredential(name) {
  return {
    get: () => sessionStorage.getItem(name),
    set: (value) => sessionStorage.setItem(name, value),
    clear: () => sessionStorage.removeItem(name),
  };
}

/** `text` cut to `length` characters, with an ellipsis when it was longer. */
export function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
