// The workspace's storage use for a month: tokens per day as a bar chart (inline SVG), the month's total against
// the plan's limit, and the bots and data sources that used them.
import { h, number } from "../ui.js";
import { api } from "./session.js";

const svgNS = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export async function renderUsage(main) {
  const month = h("input", { id: "usage-month", type: "month", value: new Date().toISOString().slice(0, 7) });
  const report = h("div", { id: "usage-report", "aria-live": "polite" }, h("p", { class: "loading" }, "Loading…"));
  const load = async () => {
    try {
      report.replaceChildren(reportView(await api.get(`/api/v1/workspace/usage?month=${encodeURIComponent(month.value)}`)));
    } catch (error) {
      report.replaceChildren(h("p", { class: "error-text" }, error.message));
    }
  };
  month.addEventListener("change", load);
  main.replaceChildren(h("section", { class: "card", "aria-labelledby": "usage-title" },
    h("header", {}, h("div", {}, h("h1", { id: "usage-title" }, "Storage usage"),
      h("p", { class: "hint" }, "Tokens the syncs wrote, by day (UTC). Unchanged rows cost nothing.")),
    h("div", { class: "actions" }, h("label", { for: "usage-month", class: "visually-hidden" }, "Month"), month)),
    report));
  await load();
}

function reportView(report) {
  const share = report.monthlyStorageTokenLimit > 0 ? report.totalTokens / report.monthlyStorageTokenLimit : 1;
  const level = share >= 1 ? "bad" : share >= 0.8 ? "warn" : "ok";
  return h("div", {},
    h("p", { id: "usage-total" }, h("strong", {}, `${number(report.totalTokens)} tokens`),
      ` of ${number(report.monthlyStorageTokenLimit)} in ${report.month} `,
      h("span", { class: `badge ${level}` }, `${Math.round(share * 100)}% of the plan`)),
    chart(report),
    report.bots.length === 0
      ? h("p", { class: "empty" }, "No sync used tokens this month.")
      : h("div", { class: "table-wrap" }, h("table", { id: "usage-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Bot"), h("th", {}, "Data source"), h("th", { class: "num" }, "Tokens"))),
        h("tbody", {}, ...report.bots.flatMap((bot) => bot.dataSources.map((source, index) => h("tr", {},
          h("td", {}, index === 0 ? bot.name ?? "Deleted bot" : ""),
          h("td", {}, source.name ?? "Deleted data source"),
          h("td", { class: "num" }, number(source.tokens)))))))));
}

/** One bar per day, scaled to the busiest day; the plan's daily share as a dashed line for scale. */
function chart(report) {
  const width = 720, height = 180, top = 10, bottom = 22, left = 4;
  const most = Math.max(1, ...report.days.map((day) => day.tokens));
  const slot = (width - left) / report.days.length;
  const y = (tokens) => top + (height - top - bottom) * (1 - tokens / most);
  const bars = report.days.map((day, index) => {
    const bar = svg("rect", {
      x: (left + index * slot + slot * 0.15).toFixed(1),
      y: y(day.tokens).toFixed(1),
      width: (slot * 0.7).toFixed(1),
      height: (height - bottom - y(day.tokens)).toFixed(1),
      class: day.tokens > 0 ? "bar" : "bar empty-bar",
      "data-date": day.date,
      "data-tokens": day.tokens,
    });
    bar.append(svg("title", {}, `${day.date}: ${number(day.tokens)} tokens`));
    return bar;
  });
  const last = report.days.length - 1;
  const labels = [[0, "start"], [Math.floor(last / 2), "middle"], [last, "end"]].map(([index, anchor]) => svg("text", {
    x: (anchor === "start" ? left : anchor === "end" ? width : left + index * slot + slot / 2).toFixed(1),
    y: height - 6, "text-anchor": anchor, class: "axis",
  }, report.days[index].date.slice(5)));
  return svg("svg", {
    id: "usage-chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Tokens per day in ${report.month}: ${number(report.totalTokens)} in all, the busiest day ${number(most)}.`,
  }, svg("line", { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: "baseline" }), ...bars, ...labels);
}
