// A bot's data sources: rows, syncs and their history, documents, and what the bot would answer.
import { busy, confirmDialog, counted, h, load, number, onSubmit, toast, truncate, when } from "../ui.js";
import { allPages } from "../api.js";
import { api, go, onSync, refreshUsage, view } from "./session.js";

export async function renderDataSources(bot, panel) {
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
    const found = await api.get(`/api/v1/bots/${bot.id}/search?q=${encodeURIComponent(q)}&limit=3`);
    const how = found.mode === "lexical"
      ? "Word search only (the server runs without its embedding model)."
      : "Searched by meaning and by words.";
    results.replaceChildren(h("p", { class: "hint" }, how), ...(found.data.length
      ? found.data.map((hit) => h("div", { class: "hit" },
        h("p", {}, h("span", { class: `badge ${hit.answers ? "ok" : "muted"}` }, hit.answers ? "Would answer" : "Would not answer"), " ",
          h("strong", {}, hit.source.title ?? hit.source.rowKey), h("span", { class: "hint", style: "display: inline" }, ` · ${hit.source.dataSourceName}`)),
        h("p", { class: "hint" }, evidence(hit), " · ", truncate(hit.text, 160))))
      : [h("p", { class: "hint" }, "Nothing matches: the bot would say it does not know.")]));
  });
}

/** "meaning 62% · words 50%": why a passage ranks where it does. */
function evidence(hit) {
  const words = `words ${Math.round(hit.coverage * 100)}%`;
  return hit.similarity === null ? words : `meaning ${Math.round(hit.similarity * 100)}% · ${words}`;
}

function sourceForm(bot) {
  const type = h("select", { id: "source-type", name: "type" },
    h("option", { value: "text" }, "Text rows"), h("option", { value: "csv" }, "CSV upload"), h("option", { value: "url" }, "Web pages (URLs or a sitemap)"),
    h("option", { value: "file" }, "Files (PDF, Word, HTML, Markdown, text)"));
  const csvFields = h("div", {},
    h("div", { class: "field" }, h("label", { for: "source-key-column" }, "Key column"), h("input", { id: "source-key-column", name: "keyColumn" })),
    h("div", { class: "field" }, h("label", { for: "source-content-columns" }, "Content columns"),
      h("input", { id: "source-content-columns", name: "contentColumns", placeholder: "question, answer" }),
      h("small", {}, "Comma-separated header names.")));
  const siteFields = h("div", {},
    h("div", { class: "field" }, h("label", { for: "source-sitemap" }, "Sitemap URL (optional)"),
      h("input", { id: "source-sitemap", name: "sitemapUrl", type: "url", placeholder: "https://example.com/sitemap.xml" }),
      h("small", {}, "With a sitemap, each sync reads the site's pages from it (and robots.txt) instead of rows you add.")),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "source-max-pages" }, "At most (pages)"),
        h("input", { id: "source-max-pages", name: "maxPages", type: "number", min: 1, max: 5000, value: 200 })),
      h("div", { class: "field" }, h("label", { for: "source-include" }, "Only paths under"),
        h("input", { id: "source-include", name: "include", placeholder: "/docs/, /help/" })),
      h("div", { class: "field" }, h("label", { for: "source-exclude" }, "Never paths under"),
        h("input", { id: "source-exclude", name: "exclude", placeholder: "/blog/" }))));
  const update = () => { csvFields.hidden = type.value !== "csv"; siteFields.hidden = type.value !== "url"; };
  type.addEventListener("change", update);
  update();
  const form = h("form", { class: "card", id: "new-source" },
    h("h2", {}, "Add a data source"),
    h("div", { class: "field" }, h("label", { for: "source-name" }, "Name"), h("input", { id: "source-name", name: "name", required: true, maxlength: 200 })),
    h("div", { class: "field" }, h("label", { for: "source-type" }, "Type"), type),
    h("div", { class: "field" }, h("label", { for: "source-chunk" }, "Tokens per document"),
      h("input", { id: "source-chunk", name: "chunkTokens", type: "number", min: 16, max: 8192, value: 512 })),
    csvFields,
    siteFields,
    scheduleField("source-schedule", null),
    h("button", { type: "submit", class: "primary" }, "Add data source"));
  return onSubmit(form, async (values) => {
    const body = { name: values.name, type: values.type, chunkTokens: Number(values.chunkTokens) };
    if (values.type === "csv") {
      body.keyColumn = values.keyColumn;
      body.contentColumns = list(values.contentColumns);
    }
    if (values.type === "url" && values.sitemapUrl) {
      Object.assign(body, { sitemapUrl: values.sitemapUrl, maxPages: Number(values.maxPages), include: list(values.include), exclude: list(values.exclude) });
    }
    if (values.syncEveryMinutes) body.syncEveryMinutes = Number(values.syncEveryMinutes);
    const source = await api.post(`/api/v1/bots/${bot.id}/data-sources`, body);
    toast(`Data source “${source.name}” added.`, "ok");
    go(bot.id, "data-sources", source.id);
  });
}

const list = (text) => text.split(",").map((item) => item.trim()).filter(Boolean);

/** How often a data source syncs by itself: blank for only on demand. */
function scheduleField(id, minutes) {
  return h("div", { class: "field" }, h("label", { for: id }, "Sync automatically every (minutes)"),
    h("input", { id, name: "syncEveryMinutes", type: "number", min: 15, max: 10080, step: 1, value: minutes ?? "", placeholder: "Off" }),
    h("small", {}, "15 minutes to a week (10,080); blank to sync only when asked."));
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
  const progress = h("div", { class: "sync-progress", id: "sync-progress", "aria-live": "polite" });
  const stopListening = onSync((job) => {
    if (job.dataSourceId !== source.id) return;
    if (!document.body.contains(progress)) return stopListening();
    if (job.status === "running") progress.replaceChildren(...progressView(job.progress));
    else progress.replaceChildren();
    if (job.status === "succeeded" || job.status === "failed") { refreshHistory(); refreshDocuments(); refreshRows(); refreshUsage(); }
  });
  return [
    h("section", { class: "card", "aria-labelledby": "source-title" },
      h("header", {},
        h("div", {}, h("h2", { id: "source-title" }, source.name, " ", h("span", { class: "badge" }, source.type)),
          h("p", { class: "hint" }, `Documents of at most ${number(source.chunkTokens)} tokens.`,
            source.type === "csv" ? ` Key column “${source.keyColumn}”, content from ${source.contentColumns.join(", ")}.` : "",
            source.sitemapUrl ? ` Pages from ${source.sitemapUrl} (at most ${number(source.maxPages)}).` : "",
            source.nextSyncAt ? ` Syncs every ${counted(source.syncEveryMinutes, "minute")}; next ${when(source.nextSyncAt)}.` : "")),
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
              const button = event.currentTarget;  // gone from the event once it has been dispatched
              if (!(await confirmDialog("Delete this data source?", "Its rows and documents are deleted.", "Delete"))) return;
              await busy(button, async () => { await api.delete(base); go(bot.id, "data-sources"); });
            },
          }, "Delete"))),
      estimate, progress, scheduleForm(base, source)),
    h("section", { class: "card", "aria-labelledby": "rows-title" }, h("h2", { id: "rows-title" }, "Rows"), rows),
    h("section", { class: "card", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "Sync history"), history),
    h("section", { class: "card", "aria-labelledby": "documents-title" }, h("h2", { id: "documents-title" }, "Documents"), documents),
  ];
}

function scheduleForm(base, source) {
  const form = h("form", { class: "row", id: "schedule-form", style: "margin-top: .75rem" },
    scheduleField("schedule-minutes", source.syncEveryMinutes),
    h("div", { class: "field fixed" }, h("button", { type: "submit" }, "Save schedule")));
  return onSubmit(form, async ({ syncEveryMinutes }) => {
    const saved = await api.patch(base, { syncEveryMinutes: syncEveryMinutes ? Number(syncEveryMinutes) : null });
    toast(saved.nextSyncAt ? `Next sync ${when(saved.nextSyncAt)}.` : "Syncs only when asked now.", "ok");
  });
}

/** A running sync: how far it is, in its phase. */
function progressView(progress) {
  if (!progress) return [];
  const phase = { fetching: "Fetching pages", tokenizing: "Tokenizing", writing: "Writing documents" }[progress.phase] ?? progress.phase;
  return [
    h("p", { class: "hint" }, `${phase}: ${number(progress.rowsDone)} of ${number(progress.rowsTotal)} rows · ${number(progress.tokens)} tokens so far`),
    h("progress", { max: Math.max(progress.rowsTotal, 1), value: progress.rowsDone, "aria-label": `${phase} progress` }),
  ];
}

function estimateView(dryRun) {
  return h("div", { class: "card", id: "estimate", style: "margin: .75rem 0 0; box-shadow: none" },
    h("p", {}, h("span", { class: `badge ${dryRun.allowed ? "ok" : "bad"}` }, dryRun.allowed ? "Within the plan" : "Not allowed"), " ",
      `${counted(dryRun.modifiedRows, "row")} to write, ${number(dryRun.unmodifiedRows)} unchanged, ${number(dryRun.deletedRows)} to delete · `,
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
  return [h("p", { class: "hint" }, `${counted(rows.length, "row")}. Changes take effect at the next sync.`), table, editor.form];
}

function rowEditor(source, base, saved) {
  if (source.sitemapUrl) {
    return { form: h("p", { class: "hint" }, "The rows follow the sitemap: each sync adds new pages and removes those gone."), edit() {} };
  }
  if (source.type === "file") {
    const file = h("input", { id: "upload-files", name: "file", type: "file", multiple: true, required: true, accept: ".pdf,.docx,.html,.htm,.md,.markdown,.txt" });
    const form = h("form", { class: "row", id: "upload-form", style: "margin-top: .75rem" },
      h("div", { class: "field" }, h("label", { for: "upload-files" }, "Files (PDF, Word .docx, HTML, Markdown, text; 20 MiB each)"), file),
      h("div", { class: "field fixed" }, h("button", { type: "submit", class: "primary" }, "Upload")));
    onSubmit(form, async () => {
      const body = new FormData();
      for (const each of file.files) body.append("file", each, each.name);
      const written = await api.send("POST", `${base}/files`, { body });
      toast(`${counted(written.files.length, "file")} read: ${written.files.map((each) => each.key).join(", ")}.`, "ok");
      form.reset();
      saved();
    });
    return { form, edit() {} };
  }
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
  // Live sync events refresh it as a job ends; a queued job is looked at again meanwhile, in case the stream is down.
  if (jobs.some((job) => job.status === "queued" || job.status === "running")) setTimeout(finished, 3000);
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
