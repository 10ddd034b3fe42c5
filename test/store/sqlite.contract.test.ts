// The store contract (contract.ts) run against the SQLite driver: a fresh temp file per test.
import { join } from "node:path";
import { SqliteDealStore } from "../../src/store/sqlite/store.js";
import { tempDir } from "../helpers/connect.js";
import { describeStoreContract } from "./contract.js";

describeStoreContract("sqlite", () => {
  const tmp = tempDir("lsm-contract-");
  const path = join(tmp.dir, "deals.db");
  const opened: SqliteDealStore[] = [];
  const openStore = () => {
    const s = SqliteDealStore.open(path);
    opened.push(s);
    return s;
  };
  return {
    store: openStore(),
    reopen: openStore,
    cleanup() {
      for (const s of opened) s.close();
      tmp.cleanup();
    },
  };
});
