// The yardstick: a bare one-tool MCP server on the SDK generation the project runs on (v2:
// @modelcontextprotocol/server and @modelcontextprotocol/node), unbundled, with no store, no data
// and no output schema, served the way the project serves: stdio through the SDK's serveStdio,
// HTTP through createMcpHandler (a fresh server per request) behind the localhost Host/Origin
// guards. Our server's cold start and per-call latency are reported as ratios to this one,
// measured in the same run on the same machine (bench/README.md).
//   node bench/yardstick-server.mjs                stdio
//   node bench/yardstick-server.mjs --http [PORT]  Streamable HTTP on 127.0.0.1 (0 or none: any
//                                                  free port); the address is printed on stderr
import { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

function build() {
  const server = new McpServer({ name: "yardstick", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes its text", inputSchema: z.object({ text: z.string().describe("Text to echo") }) },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  return server;
}

const at = process.argv.indexOf("--http");
if (at !== -1) {
  const { createServer } = await import("node:http");
  const { createMcpHandler } = await import("@modelcontextprotocol/server");
  const { toNodeHandler, localhostHostValidation, localhostOriginValidation } =
    await import("@modelcontextprotocol/node");
  const handler = createMcpHandler(build);
  const node = toNodeHandler(handler);
  const host = localhostHostValidation();
  const origin = localhostOriginValidation();
  const http = createServer((req, res) => {
    if (req.url?.split("?")[0] !== "/mcp") return void res.writeHead(404).end();
    if (!host(req, res) || !origin(req, res)) return;
    void node(req, res);
  });
  http.keepAliveTimeout = 60_000;
  const port = Number(process.argv[at + 1] ?? 0) || 0;
  http.listen(port, "127.0.0.1", () =>
    process.stderr.write(`yardstick listening on http://127.0.0.1:${http.address().port}/mcp\n`),
  );
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => void handler.close().finally(() => process.exit(0)));
} else {
  const { serveStdio } = await import("@modelcontextprotocol/server/stdio");
  const served = serveStdio(build);
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => void served.close().finally(() => process.exit(0)));
}
