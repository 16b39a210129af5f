import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isAssetName, readAsset } from "./assets.js";
import { compareRuns, REGRESSION_FRACTION } from "./compare.js";
import { metricSeries } from "./metric-series.js";
import { servedPage, type Page } from "./pages.js";
import { runView } from "./run-view.js";
import { loadRuns, type RunStore } from "./run-store.js";

const PAGES: Record<string, Page> = {
  "/": "overview",
  "/metrics": "metrics",
  "/compare": "compare",
  "/run": "run",
};

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

class NotFound extends Error {}

/**
 * Serves the dashboard on 127.0.0.1 only: pages, their assets, and JSON built from the report dirs. The dirs
 * are read again on each API request, so runs written while the dashboard is up appear on a reload.
 */
export async function startDashboard(reportDirs: readonly string[], port: number): Promise<Dashboard> {
  const server = createServer((req, res) => {
    handle(reportDirs, req, res).catch((error: Error) =>
      send(
        res,
        error instanceof NotFound ? 404 : 500,
        "application/json",
        JSON.stringify({ error: error.message }),
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(dirs: readonly string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method !== "GET") throw new NotFound(`${req.method} is not served`);
  const page = PAGES[url.pathname];
  if (page) return send(res, 200, "text/html; charset=utf-8", servedPage(page));
  if (url.pathname.startsWith("/assets/")) {
    const name = url.pathname.slice("/assets/".length);
    if (!isAssetName(name)) throw new NotFound(`no asset ${name}`);
    return send(res, 200, CONTENT_TYPES[name.split(".").at(-1)!]!, await readAsset(name));
  }
  if (url.pathname.startsWith("/api/"))
    return send(res, 200, "application/json", JSON.stringify(api(url, await loadRuns(dirs))));
  throw new NotFound(`no page ${url.pathname}`);
}

function api(url: URL, store: RunStore): unknown {
  const run = (param: string) => {
    const id = url.searchParams.get(param);
    const found = store.runs.find((r) => r.id === id);
    if (!found) throw new NotFound(`no run with id "${id}"`);
    return found;
  };
  switch (url.pathname) {
    case "/api/runs":
      return {
        runs: store.runs.map(({ metrics: _m, timeSeries: _t, ...header }) => header),
        unreadable: store.unreadable,
      };
    case "/api/metrics":
      return { series: metricSeries(store.runs) };
    case "/api/run":
      return runView(run("id"), store.unreadable);
    case "/api/compare":
      return { regressionFraction: REGRESSION_FRACTION, rows: compareRuns(run("a"), run("b")) };
    default:
      throw new NotFound(`no API ${url.pathname}`);
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}
