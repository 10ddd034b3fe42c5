// stdio: what desktop clients spawn. The SDK's transport never reports stdin EOF, so we do:
// on EOF, SIGINT or SIGTERM stop reading, let requests in flight finish and answer, then close.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "../server.js";
import type { Deps } from "../tools/define.js";
import { guardLifecycle, InFlight } from "./lifecycle.js";

export interface RunningStdio {
  /** Stops reading, waits for answers in flight (up to 5 s), closes the transport. */
  stop(why: string): Promise<void>;
}

export async function serveStdio(deps: Deps): Promise<RunningStdio> {
  const server = createServer(deps);
  const transport = new StdioServerTransport();
  const inFlight = new InFlight();
  let accepting = true;
  await server.connect(transport);
  guardLifecycle(transport, inFlight, { accepting: () => accepting });
  let stopping: Promise<void> | undefined;
  return {
    stop(why) {
      stopping ??= (async () => {
        accepting = false;
        // Lines already read were dispatched; answers to them still go out.
        process.stdin.pause();
        const drained = await inFlight.drain(5_000);
        deps.log.info({ why, drained, in_flight: inFlight.size }, "stdio stopping");
        await server.close().catch(() => undefined);
      })();
      return stopping;
    },
  };
}
