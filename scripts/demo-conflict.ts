/**
 * Makes a conflict for the demo coordinator to resolve, through the API of a running server
 * (`npm start`): the demo assessor submits a WASH assessment, the demo coordinator edits it, and
 * the assessor's second edit, made from the first version, contests two fields.
 *
 *   npx tsx scripts/demo-conflict.ts [http://localhost:3000]
 *
 * Not part of the seed: a seeded conflict would sit in the demo assessor's device as "awaiting
 * review" (and hold up their sign-out) in every test that signs them in.
 */
import { randomUUID } from "node:crypto";

const base = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}`;
const password = process.env.DEMO_PASSWORD ?? "fieldsync-demo";

async function signIn(email: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`Sign-in of ${email} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function call<T>(token: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Result = { status: string; conflictId?: string };
const push = async (token: string, mutation: Record<string, unknown>) =>
  (
    await call<{ results: Result[] }>(token, "/api/sync/push", {
      deviceId: randomUUID(),
      mutations: [{ mutationId: randomUUID(), ...mutation }],
    })
  ).results[0];

const assessor = await signIn("assessor@demo.fieldsync.org");
const coordinator = await signIn("coordinator@demo.fieldsync.org");
const { entities } = await call<{ entities: { id: string; name: string; autoApprove: boolean }[] }>(assessor, "/api/entities");
const entity = entities.find((e) => !e.autoApprove) ?? entities[0];
const offlineId = randomUUID();
const data = { waterSource: "BOREHOLE", functionalBoreholes: 2, latrines: 10, openDefecationObserved: false, notes: "First visit." };
await push(assessor, {
  type: "assessment",
  action: "create",
  offlineId,
  baseVersion: 0,
  data: { entityId: entity.id, assessmentType: "WASH", status: "SUBMITTED", data },
});
const update = (token: string, changes: Record<string, unknown>) =>
  push(token, { type: "assessment", action: "update", offlineId, baseVersion: 1, data: { data: changes } });
await update(coordinator, { latrines: 12, notes: "Counted by the district office." });
const result = await update(assessor, { latrines: 16, functionalBoreholes: 3, notes: "Two new latrines dug this week." });
console.log(
  result.status === "conflict"
    ? `Conflict at ${entity.name}: ${base}/conflicts/${result.conflictId}`
    : `Unexpected: ${JSON.stringify(result)}`,
);
