import { readAsset, SCRIPTS, STYLES } from "./assets.js";
import type { RunView } from "./run-view.js";

export type Page = "overview" | "metrics" | "compare" | "run";

const NAV: [Page, string, string][] = [
  ["overview", "/", "Runs"],
  ["metrics", "/metrics", "Metrics"],
  ["compare", "/compare", "Compare"],
];

const TITLES: Record<Page, string> = {
  overview: "Runs",
  metrics: "Metrics over runs",
  compare: "Compare two runs",
  run: "Run",
};

/** A page of the dashboard server; dashboard.js fills <main> from the JSON API. */
export function servedPage(page: Page): string {
  const nav = NAV.map(
    ([name, href, label]) => `<a href="${href}"${name === page ? ' aria-current="page"' : ""}>${label}</a>`,
  ).join("");
  return shell({
    page,
    title: `kubemark: ${TITLES[page]}`,
    head: STYLES.map((name) => `<link rel="stylesheet" href="/assets/${name}">`).join("\n"),
    header: `<header><strong>kubemark dashboard</strong><nav>${nav}</nav></header>`,
    scripts: SCRIPTS.map((name) => `<script src="/assets/${name}"></script>`).join("\n"),
  });
}

/** The run page as one file: styles, uPlot, our script and the run's data inline, so it opens offline. */
export async function selfContainedRunPage(view: RunView): Promise<string> {
  const styles = await Promise.all(STYLES.map(readAsset));
  const scripts = await Promise.all(SCRIPTS.map(readAsset));
  return shell({
    page: "run",
    title: `kubemark: ${escapeHtml(view.run.test)} run of ${view.run.start}`,
    head: styles.map((css) => `<style>\n${css}\n</style>`).join("\n"),
    header: "",
    scripts: [
      // In JSON "<" occurs only inside strings, where \u003c means the same and cannot end the element.
      `<script type="application/json" id="run-view">${JSON.stringify(view).replace(/</g, "\\u003c")}</script>`,
      ...scripts.map((js) => `<script>\n${inlineScript(js)}\n</script>`),
    ].join("\n"),
  });
}

interface Shell {
  page: Page;
  title: string;
  head: string;
  header: string;
  scripts: string;
}

// The empty icon keeps the browser from asking for /favicon.ico, whose 404 would be a console error.
function shell({ page, title, head, header, scripts }: Shell): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
${head}
</head>
<body data-page="${page}">
${header}
<main id="main"><p class="loading">Loading…</p></main>
${scripts}
</body>
</html>
`;
}

/** A script inlined as it is: one holding "</script" would end its element early, so refuse it. */
function inlineScript(js: string): string {
  if (/<\/script/i.test(js)) throw new Error("a script to inline contains </script");
  return js;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
