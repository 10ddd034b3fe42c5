// The yardstick: a bare one-tool MCP server on the same SDK, unbundled, no store and no data.
// Our server's cold start and per-call latency are reported as ratios to this one, measured
// in the same run on the same machine (bench/README.md).
//   node bench/yardstick-server.mjs            stdio
//   node bench/yardstick-server.mjs --http     Streamable HTTP on 127.0.0.1, port printed to stderr
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

function build() {
  const server = new McpServer({ name: "yardstick", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes its text", inputSchema: { text: z.string() }, outputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }], structuredContent: { text } }),
  );
  return server;
}

if (process.argv.includes("--http")) {
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
    const sid = req.headers["mcp-session-id"];
    let t = sid ? sessions.get(sid) : undefined;
    if (!t && isInitializeRequest(body)) {
      t = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => sessions.set(id, t),
      });
      await build().connect(t);
    }
    if (!t) {
      res.writeHead(400).end();
      return;
    }
    await t.handleRequest(req, res, body);
  });
  http.listen(0, "127.0.0.1", () => process.stderr.write(`listening on http://127.0.0.1:${http.address().port}/mcp\n`));
} else {
  await build().connect(new StdioServerTransport());
  process.stdin.on("end", () => process.exit(0));
}
