// The MCP App view of pipeline_report, bundled for the browser (scripts/dashboard-view.mjs)
// and inlined in the ui://lean-sales/dashboard.html resource. It receives the tool result from
// the host and draws it with the same renderReportBody() as the HTML report.
import { App, applyDocumentTheme } from "@modelcontextprotocol/ext-apps/app-with-deps";
import { isReportData, renderReportBody } from "./html.js";

// The few DOM calls used here (the project's TypeScript setup has no DOM library).
interface Root {
  innerHTML: string;
  textContent: string | null;
  setAttribute(name: string, value: string): void;
}
const root = (
  globalThis as unknown as { document: { getElementById(id: string): Root | null } }
).document.getElementById("dashboard");

function show(result: {
  structuredContent?: unknown;
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
}): void {
  if (!root) return;
  if (result.isError || !isReportData(result.structuredContent)) {
    root.textContent =
      result.content?.find((c) => c.type === "text")?.text ?? "The pipeline dashboard received no data.";
    root.setAttribute("data-state", "error");
    return;
  }
  root.innerHTML = renderReportBody(result.structuredContent);
  root.setAttribute("data-state", "ready");
}

const app = new App({ name: "lean-sales-dashboard", version: "1.0.0" }, {}, { autoResize: true });
app.ontoolresult = (result) => show(result as Parameters<typeof show>[0]);
app.onhostcontextchanged = (ctx) => {
  if (ctx.theme) applyDocumentTheme(ctx.theme);
};
app
  .connect()
  .then(() => {
    const theme = app.getHostContext()?.theme;
    if (theme) applyDocumentTheme(theme);
  })
  .catch((err: unknown) => {
    if (!root) return;
    root.textContent = `The dashboard could not reach its host: ${err instanceof Error ? err.message : String(err)}`;
    root.setAttribute("data-state", "error");
  });
