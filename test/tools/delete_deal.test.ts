// Erasing a deal (a mistaken entry, or a person's data on request) leaves no copy: not in the
// deal's history, activities or stored replies, not in the file's pages, not in a later backup.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connect, tempDir, type Harness } from "../helpers/connect.js";

const SECRET = "Zanzibar Quokka Holdings";

describe("delete_deal", () => {
  let h: Harness;
  beforeAll(async () => (h = await connect()));
  afterAll(() => h.close());

  it("is destructive and idempotent by its annotations", async () => {
    const t = (await h.client.listTools()).tools.find((x) => x.name === "delete_deal")!;
    expect(t.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it("refuses a confirmation that is not the deal's name, and deletes nothing", async () => {
    const { deal } = await h.callOk("create_deal", { name: "Keep me", account: "K" });
    expect(await h.callError("delete_deal", { deal_id: deal.id, confirm_name: "Keep" })).toMatch(
      /confirm_name does not match.*nothing was deleted/,
    );
    expect((await h.callOk("get_deal", { deal_id: deal.id })).deal.name).toBe("Keep me");
  });

  it("erases the deal and everything recorded on it, leaving no copy in the file or in a later backup", async () => {
    const { deal } = await h.callOk("create_deal", {
      name: `${SECRET} rollout`,
      account: SECRET,
      stakeholders: [{ name: "Ada Quokka", role: "CEO" }],
      request_id: "create-secret-1",
    });
    await h.callOk("log_activity", { deal_id: deal.id, type: "call", summary: `Spoke with ${SECRET} about pricing` });
    await h.callOk("qualify_prospect", { deal_id: deal.id, need: { status: "confirmed", note: `${SECRET} needs it` } });
    const before = h.store.counts();

    const r = await h.callOk("delete_deal", {
      deal_id: `d-${Number(deal.id.slice(2))}`,
      confirm_name: `${SECRET.toLowerCase()} rollout `,
    });
    expect(r).toMatchObject({
      deal_id: deal.id,
      deleted: true,
      removed: { deals: 1, activities: 1, stakeholders: 1, qualifications: 1, requests: 1 },
    });
    expect(h.store.counts().deals).toBe(before.deals! - 1);
    expect(await h.callError("get_deal", { deal_id: deal.id })).toMatch(/No deal/);
    // A replay of the create answers afresh rather than with the erased deal.
    expect(h.store.findRequest("create-secret-1")).toBeUndefined();

    for (const file of [h.dbPath, `${h.dbPath}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(SECRET)), file).toBe(false);
    }
    const t = tempDir();
    try {
      const copy = join(t.dir, "backup.db");
      h.store.backupTo(copy);
      expect(readFileSync(copy).includes(Buffer.from(SECRET))).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});
