import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { entityIds, generateDocs, toCreateMutation, workloadSizes } from "@/bench/workload";
import { validateRecordData } from "@/lib/domain/forms/validate-form-data";
import { assessmentCreateSchema } from "@/lib/protocol";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("bench workload (the peer harness's generator, ported)", () => {
  // Hashes computed with ../shared/peers/lib/workload.mjs (generateDocs, JSON.stringify) on
  // 2026-12-06: the port yields byte-identical documents, so both benches sync the same ones.
  it.each([
    { seed: "field-sync", from: 0, to: 1000, hash: "47debacc754d2a5a6fee19ba678001d4b289294e42db82add7860dbbfd71a2b7" },
    { seed: "other", from: 5000, to: 5100, hash: "cf6705d8c830a142ef948e63c8ecd829836cef815216468fd79b2df1bc00a4b5" },
  ])("seed $seed, documents [$from, $to) match the harness byte for byte", ({ seed, from, to, hash }) => {
    expect(sha256(JSON.stringify(generateDocs({ seed, from, to })))).toBe(hash);
  });

  it("maps every document onto a create our push schema and forms accept, about as large as the document", () => {
    const workload = entityIds("field-sync");
    const ours = workload.map((_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const docs = generateDocs({ from: 0, to: 600 });
    for (const doc of docs) {
      const mutation = toCreateMutation(doc, workload, ours, "11111111-1111-4111-8111-111111111111");
      expect(mutation.offlineId).toBe(doc.offlineId);
      expect(mutation.data.entityId).toBe(ours[workload.indexOf(doc.entityId)]);
      const parsed = assessmentCreateSchema.safeParse(mutation.data);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const checked = validateRecordData("assessment", mutation.data);
      expect(checked.ok, JSON.stringify(checked)).toBe(true);
    }
    const sizes = workloadSizes(docs, workload);
    expect(sizes.documentBytes).toBeGreaterThan(800);
    expect(Math.abs(sizes.mutationBytes - sizes.documentBytes) / sizes.documentBytes).toBeLessThan(0.25);
  });
});
