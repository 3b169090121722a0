/**
 * Real answers of the in-process route handlers against the served OpenAPI document
 * (GET /api/openapi.json): every status an operation answers is one the document lists for it;
 * an error's code is among that answer's `x-error-codes`; a JSON body matches both the zod schema
 * the document was generated from and the document's own JSON Schema (turned back into a
 * validator with `z.fromJSONSchema`); and it carries no field the document does not name.
 * Structure and route coverage: tests/unit/protocol/openapi.test.ts.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DELETE as adminAssignmentsDelete,
  GET as adminAssignmentsGet,
  POST as adminAssignmentsPost,
} from "@/app/api/admin/assignments/route";
import { PATCH as adminEntityPatch } from "@/app/api/admin/entities/[id]/route";
import { POST as adminEntitiesPost } from "@/app/api/admin/entities/route";
import { PATCH as adminUserPatch } from "@/app/api/admin/users/[id]/route";
import { GET as adminUsersGet, POST as adminUsersPost } from "@/app/api/admin/users/route";
import { POST as verifyAssessmentRoute } from "@/app/api/assessments/[id]/verify/route";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { POST as logoutRoute } from "@/app/api/auth/logout/route";
import { GET as meRoute } from "@/app/api/auth/me/route";
import { POST as resolveRoute } from "@/app/api/conflicts/[id]/resolve/route";
import { GET as conflictDetailRoute } from "@/app/api/conflicts/[id]/route";
import { GET as conflictsRoute } from "@/app/api/conflicts/route";
import { GET as activityRoute } from "@/app/api/dashboard/activity/route";
import { GET as countsRoute } from "@/app/api/dashboard/counts/route";
import { GET as entitiesRoute } from "@/app/api/entities/route";
import { GET as healthRoute } from "@/app/api/health/route";
import { GET as mediaRoute } from "@/app/api/media/[id]/route";
import * as tusRoute from "@/app/api/media/uploads/[[...path]]/route";
import { GET as openapiRoute } from "@/app/api/openapi.json/route";
import { GET as devicesRoute } from "@/app/api/sync/devices/route";
import { GET as pullRoute } from "@/app/api/sync/pull/route";
import { POST as pushRoute } from "@/app/api/sync/push/route";
import { GET as rejectionsRoute } from "@/app/api/sync/rejections/route";
import { GET as verificationRoute } from "@/app/api/verification/route";
import { errorBodySchema } from "@/lib/protocol";
import { buildOpenApiDocument, type HttpMethod, OPERATIONS } from "@/lib/protocol/openapi";
import { resetEnvForTests } from "@/lib/server/env";
import { ERROR_STATUS } from "@/lib/server/errors";
import { resetMediaUploadsForTests } from "@/lib/server/media/tus-uploads";
import { type CallOptions, call, makeUser } from "../../fixtures/api";
import { assign, FULL_WASH, type Loose, mut, newEntity, quickUser, type Signed } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

const db = useTestDb();

type Handler = Parameters<typeof call>[0];
type Json = Record<string, unknown>;
interface Served {
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  components: { schemas: Json };
}

/** 4xx/5xx answers the document gives a body other than Error, on purpose. */
const NOT_ERROR_BODIES = new Set(["get /api/health 503", "get /api/media/{id} 416"]);

let served: Served;
let docDefs: Json;
const exercised = new Set<string>();

beforeAll(async () => {
  const res = await call(openapiRoute, { path: "/api/openapi.json" });
  expect(res.status).toBe(200);
  served = res.body as unknown as Served;
  // The document's components as JSON Schema $defs, so `z.fromJSONSchema` can follow the $refs.
  docDefs = JSON.parse(JSON.stringify(served.components.schemas).replaceAll("#/components/schemas/", "#/$defs/"));
});

/** A validator built from the served document's JSON Schema (not from the zod source). */
function fromDocument(schema: Json): z.ZodType {
  const ref = JSON.parse(JSON.stringify(schema).replaceAll("#/components/schemas/", "#/$defs/"));
  return z.fromJSONSchema({ ...ref, $defs: docDefs } as never) as z.ZodType;
}

/**
 * Calls `handler` as `method docPath` (with `{id}` filled from `params`) and checks the answer
 * against the document. Returns the call's result for the scenario's own assertions.
 */
async function conform(method: HttpMethod, docPath: string, handler: Handler, options: CallOptions = {}) {
  const concrete = docPath.replace(/\{(\w+)\}/g, (_, name: string) => options.params?.[name] ?? "");
  const res = await call(handler, { ...options, method: method.toUpperCase(), path: (options.path ?? concrete) as string });
  const where = `${method.toUpperCase()} ${docPath} → ${res.status}`;
  const operation = served.paths[docPath]?.[method];
  expect(operation, `${method} ${docPath} is documented`).toBeDefined();
  const documented = operation.responses[String(res.status)];
  expect(documented, `${where} is a documented status (body: ${JSON.stringify(res.body).slice(0, 300)})`).toBeDefined();
  exercised.add(`${method} ${docPath} ${res.status}`);

  const spec = OPERATIONS.find((op) => op.method === method && op.path === docPath);
  const success = spec?.responses[res.status];
  // A HEAD answer's body is dropped on the wire (in-process, tus may still attach its text): its status is what counts.
  if (method === "head") return res;
  if (res.status >= 400 && !NOT_ERROR_BODIES.has(`${method} ${docPath} ${res.status}`)) {
    const parsed = errorBodySchema.safeParse(res.body);
    expect(parsed.success ? [] : parsed.error.issues, where).toEqual([]);
    expect(documented["x-error-codes"], where).toContain(res.body.error?.code);
  } else if (success?.schema) {
    const parsed = success.schema.safeParse(res.body);
    expect(parsed.success ? [] : parsed.error.issues, `${where}: zod schema`).toEqual([]);
    // Every field the server sent is one the schema names (plain objects strip the others).
    expect(parsed.data, `${where}: no undocumented field`).toEqual(res.body);
    const content = (documented.content as Record<string, { schema: Json }>)["application/json"];
    const viaDocument = fromDocument(content.schema).safeParse(res.body);
    expect(viaDocument.success ? [] : viaDocument.error.issues, `${where}: the document's JSON Schema`).toEqual([]);
  }
  return res;
}

let admin: Signed;
let coordinator: Signed;
let assessor: Signed;
let entityId: string;

beforeAll(async () => {
  admin = await quickUser(db.current.prisma, "ADMIN");
  coordinator = await quickUser(db.current.prisma, "COORDINATOR");
  assessor = await quickUser(db.current.prisma, "ASSESSOR");
  entityId = (await newEntity()).id;
  await assign(assessor, entityId);
});

describe("real answers match the served OpenAPI document", () => {
  it("serves the document publicly, cache-able, equal to the generated one", async () => {
    const res = await call(openapiRoute, { path: "/api/openapi.json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(ERROR_STATUS))));
    exercised.add("get /api/openapi.json 200");
  });

  it("health, sign-in, me and sign-out", async () => {
    await conform("get", "/api/health", healthRoute);
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    const login = await conform("post", "/api/auth/login", loginRoute, { body: { email, password } });
    expect(login.status).toBe(200);
    expect((await conform("post", "/api/auth/login", loginRoute, { body: { email, password: "wrong password" } })).status).toBe(401);
    expect((await conform("post", "/api/auth/login", loginRoute, { body: { email } })).status).toBe(400);
    const token = login.body.token as string;
    expect((await conform("get", "/api/auth/me", meRoute, { token })).status).toBe(200);
    expect((await conform("post", "/api/auth/logout", logoutRoute, { token })).status).toBe(204);
    expect((await conform("get", "/api/auth/me", meRoute, { token })).status).toBe(401);
  });

  it("push (applied, rejected, conflict, duplicate), pull, and the push envelope's refusals", async () => {
    const create = mut.createAssessment(entityId, { status: "SUBMITTED", data: FULL_WASH });
    const invalid = { mutationId: randomUUID(), type: "assessment", action: "explode", offlineId: randomUUID(), baseVersion: 0 };
    const first = await conform("post", "/api/sync/push", pushRoute, {
      token: assessor.token,
      body: { deviceId: randomUUID(), mutations: [create, invalid] },
    });
    expect((first.body.results as Loose[]).map((r) => r.status)).toEqual(["applied", "rejected"]);

    // The coordinator changes the answer, then the assessor edits it from version 1: a conflict for a human.
    const byCoordinator = mut.update("assessment", create.offlineId, 1, { data: { latrines: 11 } });
    await conform("post", "/api/sync/push", pushRoute, {
      token: coordinator.token,
      body: { deviceId: randomUUID(), mutations: [byCoordinator] },
    });
    const stale = mut.update("assessment", create.offlineId, 1, { data: { latrines: 12 } });
    const second = await conform("post", "/api/sync/push", pushRoute, {
      token: assessor.token,
      gzip: true,
      body: { deviceId: randomUUID(), clientState: { pendingCount: 0, appVersion: "contract" }, mutations: [stale, create] },
    });
    expect((second.body.results as Loose[]).map((r) => r.status)).toEqual(["conflict", "duplicate"]);

    expect((await conform("post", "/api/sync/push", pushRoute, { token: assessor.token, body: { mutations: [] } })).status).toBe(400);
    const tooMany = Array.from({ length: 201 }, () => mut.createAssessment(entityId));
    expect(
      (await conform("post", "/api/sync/push", pushRoute, { token: assessor.token, body: { deviceId: randomUUID(), mutations: tooMany } }))
        .status,
    ).toBe(413);
    expect((await conform("post", "/api/sync/push", pushRoute, { body: { deviceId: randomUUID(), mutations: [create] } })).status).toBe(
      401,
    );

    const pull = await conform("get", "/api/sync/pull", pullRoute, {
      token: assessor.token,
      path: `/api/sync/pull?limit=1&deviceId=${randomUUID()}`,
    });
    expect(pull.body.hasMore).toBe(true);
    const next = await conform("get", "/api/sync/pull", pullRoute, {
      token: assessor.token,
      path: `/api/sync/pull?cursor=${encodeURIComponent(String(pull.body.cursor))}`,
    });
    expect((next.body.changes as Loose[]).length).toBeGreaterThan(0);
    expect(
      (await conform("get", "/api/sync/pull", pullRoute, { token: assessor.token, path: "/api/sync/pull?cursor=not-a-cursor" })).status,
    ).toBe(400);
  });

  it("conflicts: list, detail, resolve, and the refusals", async () => {
    const list = await conform("get", "/api/conflicts", conflictsRoute, {
      token: coordinator.token,
      path: "/api/conflicts?status=PENDING",
    });
    const conflictId = (list.body.conflicts as Loose[])[0]?.id as string;
    expect(conflictId).toBeDefined();
    await conform("get", "/api/conflicts/{id}", conflictDetailRoute, { token: coordinator.token, params: { id: conflictId } });
    expect((await conform("get", "/api/conflicts", conflictsRoute, { token: assessor.token })).status).toBe(403);
    expect(
      (await conform("get", "/api/conflicts/{id}", conflictDetailRoute, { token: coordinator.token, params: { id: randomUUID() } })).status,
    ).toBe(404);
    expect(
      (await conform("get", "/api/conflicts/{id}", conflictDetailRoute, { token: coordinator.token, params: { id: "not-a-uuid" } })).status,
    ).toBe(400);

    const resolveAs = (body: unknown) =>
      conform("post", "/api/conflicts/{id}/resolve", resolveRoute, { token: coordinator.token, params: { id: conflictId }, body });
    expect((await resolveAs({ strategy: "server", expectedVersion: 99 })).status).toBe(409);
    expect((await resolveAs({ strategy: "client" })).status).toBe(200);
    expect((await resolveAs({ strategy: "server" })).status).toBe(409);
  });

  it("verification, dashboards, devices and the rejection log", async () => {
    const submitted = mut.createAssessment(entityId, { status: "SUBMITTED", data: FULL_WASH });
    const pushed = await conform("post", "/api/sync/push", pushRoute, {
      token: assessor.token,
      body: { deviceId: randomUUID(), mutations: [submitted] },
    });
    const id = (pushed.body.results as Loose[])[0].id as string;
    await conform("get", "/api/verification", verificationRoute, { token: coordinator.token });
    await conform("get", "/api/dashboard/counts", countsRoute, { token: coordinator.token });
    const verified = await conform("post", "/api/assessments/{id}/verify", verifyAssessmentRoute, {
      token: coordinator.token,
      params: { id },
      body: { decision: "REJECTED", note: "Count the latrines again" },
    });
    expect(verified.status).toBe(200);
    await conform("get", "/api/dashboard/activity", activityRoute, { token: coordinator.token, path: "/api/dashboard/activity?days=3" });
    await conform("get", "/api/sync/devices", devicesRoute, { token: coordinator.token });
    await conform("get", "/api/sync/rejections", rejectionsRoute, { token: coordinator.token });
    expect(
      (await conform("get", "/api/dashboard/activity", activityRoute, { token: coordinator.token, path: "/api/dashboard/activity?days=x" }))
        .status,
    ).toBe(400);
  });

  it("entities and the admin API", async () => {
    await conform("get", "/api/entities", entitiesRoute, { token: assessor.token });
    await conform("get", "/api/admin/users", adminUsersGet, { token: admin.token });
    expect((await conform("get", "/api/admin/users", adminUsersGet, { token: coordinator.token })).status).toBe(403);
    const email = `contract-${randomUUID().slice(0, 8)}@test.fieldsync.org`;
    const created = await conform("post", "/api/admin/users", adminUsersPost, {
      token: admin.token,
      body: { email, name: "Contract Tester", role: "RESPONDER", password: "long enough password" },
    });
    expect(created.status).toBe(201);
    const userId = (created.body.user as Loose).id as string;
    expect(
      (
        await conform("post", "/api/admin/users", adminUsersPost, {
          token: admin.token,
          body: { email, name: "Again", role: "RESPONDER", password: "long enough password" },
        })
      ).status,
    ).toBe(409);
    await conform("patch", "/api/admin/users/{id}", adminUserPatch, {
      token: admin.token,
      params: { id: userId },
      body: { name: "Renamed" },
    });

    const entity = await conform("post", "/api/admin/entities", adminEntitiesPost, {
      token: admin.token,
      body: { name: "Contract camp", type: "CAMP", lga: "Jere", ward: "Gongulong", latitude: 11.8, longitude: 13.1 },
    });
    const newId = (entity.body.entity as Loose).id as string;
    await conform("patch", "/api/admin/entities/{id}", adminEntityPatch, {
      token: admin.token,
      params: { id: newId },
      body: { ward: "Dusuman", expectedVersion: 1 },
    });
    expect(
      (
        await conform("patch", "/api/admin/entities/{id}", adminEntityPatch, {
          token: admin.token,
          params: { id: newId },
          body: { ward: "Old", expectedVersion: 1 },
        })
      ).status,
    ).toBe(409);

    expect(
      (await conform("post", "/api/admin/assignments", adminAssignmentsPost, { token: admin.token, body: { userId, entityId: newId } }))
        .status,
    ).toBe(201);
    await conform("get", "/api/admin/assignments", adminAssignmentsGet, {
      token: admin.token,
      path: `/api/admin/assignments?userId=${userId}`,
    });
    expect(
      (await conform("delete", "/api/admin/assignments", adminAssignmentsDelete, { token: admin.token, body: { userId, entityId: newId } }))
        .status,
    ).toBe(204);
    expect(
      (
        await conform("post", "/api/admin/assignments", adminAssignmentsPost, {
          token: admin.token,
          body: { userId: randomUUID(), entityId: newId },
        })
      ).status,
    ).toBe(404);
  });

  describe("media over tus, and reading it back", () => {
    const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-contract-media-"));
    const UPLOADS = "/api/media/uploads";
    const UPLOAD = "/api/media/uploads/{uploadId}";
    const tus = { "tus-resumable": "1.0.0" };
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
    let parentOfflineId: string;

    beforeAll(async () => {
      process.env.MEDIA_DIR = mediaDir;
      resetEnvForTests();
      resetMediaUploadsForTests();
      const create = mut.createAssessment(entityId);
      await conform("post", "/api/sync/push", pushRoute, { token: assessor.token, body: { deviceId: randomUUID(), mutations: [create] } });
      parentOfflineId = create.offlineId;
    });
    afterAll(() => {
      resetMediaUploadsForTests();
      rmSync(mediaDir, { recursive: true, force: true });
    });

    function metadata(bytes: Buffer, overrides: Record<string, string> = {}) {
      const m = {
        offlineId: randomUUID(),
        parentType: "assessment",
        parentOfflineId,
        filename: "latrines.jpg",
        mimeType: "image/jpeg",
        sha256: sha256(bytes),
        ...overrides,
      };
      return Object.entries(m)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(",");
    }
    const createUpload = (bytes: Buffer, overrides: Record<string, string> = {}) =>
      conform("post", UPLOADS, tusRoute.POST, {
        token: assessor.token,
        headers: { ...tus, "upload-length": String(bytes.length), "upload-metadata": metadata(bytes, overrides) },
      });
    const append = (location: string, offset: number, chunk: Buffer) =>
      conform("patch", UPLOAD, tusRoute.PATCH, {
        token: assessor.token,
        path: location,
        rawBody: new Uint8Array(chunk),
        headers: { ...tus, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
      });

    it("OPTIONS, creation, HEAD, two PATCHes, the bytes with ETag and Range, HEAD of the finished upload", async () => {
      expect((await conform("options", UPLOADS, tusRoute.OPTIONS)).status).toBe(204);
      const bytes = randomBytes(40_000);
      const created = await createUpload(bytes);
      expect(created.status).toBe(201);
      const location = new URL(created.headers.get("location") ?? "", "http://localhost:3000").pathname;
      const head = await conform("head", UPLOAD, tusRoute.HEAD, { token: assessor.token, path: location, headers: tus });
      expect(head.headers.get("upload-offset")).toBe("0");
      expect((await append(location, 0, bytes.subarray(0, 10_000))).status).toBe(204);
      const done = await append(location, 10_000, bytes.subarray(10_000));
      expect(done.status).toBe(204);
      const mediaId = done.headers.get("x-media-id") ?? "";
      expect(mediaId).not.toBe("");

      const got = await conform("get", "/api/media/{id}", mediaRoute, { token: assessor.token, params: { id: mediaId } });
      expect(got.status).toBe(200);
      expect(got.headers.get("etag")).toBe(`"${sha256(bytes)}"`);
      const etag = got.headers.get("etag") ?? "";
      expect(
        (
          await conform("get", "/api/media/{id}", mediaRoute, {
            token: assessor.token,
            params: { id: mediaId },
            headers: { "if-none-match": etag },
          })
        ).status,
      ).toBe(304);
      const ranged = await conform("get", "/api/media/{id}", mediaRoute, {
        token: assessor.token,
        params: { id: mediaId },
        headers: { range: "bytes=0-99" },
      });
      expect([200, 206]).toContain(ranged.status); // 206 where the store serves ranges
      const after = await conform("head", UPLOAD, tusRoute.HEAD, { token: assessor.token, path: location, headers: tus });
      expect(after.status).toBe(200);
      expect(after.headers.get("x-media-id")).toBe(mediaId);
      expect((await conform("get", "/api/media/{id}", mediaRoute, { token: assessor.token, params: { id: randomUUID() } })).status).toBe(
        404,
      );
    });

    it("refusals: type (415), parent (404), bytes (460), offset (409), tus version (412); termination; HEAD of an unknown upload", async () => {
      const bytes = randomBytes(1_000);
      expect((await createUpload(bytes, { mimeType: "text/plain" })).status).toBe(415);
      expect((await createUpload(bytes, { parentOfflineId: randomUUID() })).status).toBe(404);
      const wrong = await createUpload(bytes);
      const wrongAt = new URL(wrong.headers.get("location") ?? "", "http://localhost:3000").pathname;
      expect((await append(wrongAt, 0, randomBytes(1_000))).status).toBe(460);
      const unfinished = await createUpload(bytes);
      const at = new URL(unfinished.headers.get("location") ?? "", "http://localhost:3000").pathname;
      expect((await conform("delete", UPLOAD, tusRoute.DELETE, { token: assessor.token, path: at, headers: tus })).status).toBe(204);
      const resumed = await createUpload(bytes);
      const resumedAt = new URL(resumed.headers.get("location") ?? "", "http://localhost:3000").pathname;
      expect((await append(resumedAt, 500, bytes)).status).toBe(409);
      expect((await conform("post", UPLOADS, tusRoute.POST, { token: assessor.token, headers: { "upload-length": "10" } })).status).toBe(
        412,
      );
      const unknown = `${UPLOADS}/${randomUUID()}_0123456789abcdef01234567`;
      expect((await conform("head", UPLOAD, tusRoute.HEAD, { token: assessor.token, path: unknown, headers: tus })).status).toBe(404);
    });
  });

  it("exercised a success of most operations", () => {
    const successes = new Set([...exercised].filter((e) => /\s2\d\d$/.test(e)).map((e) => e.replace(/\s\d+$/, "")));
    const untested = OPERATIONS.map((op) => `${op.method} ${op.path}`).filter((k) => !successes.has(k));
    // Verifying a response is the same handler as an assessment's (tests/integration/verification).
    expect(untested).toEqual(["post /api/responses/{id}/verify"]);
  });
});
