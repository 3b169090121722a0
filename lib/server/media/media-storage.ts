import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { FileStore } from "@tus/file-store";
import { type DataStore, isPathInsideDirectory, type Upload } from "@tus/server";
import { type Env, getEnv } from "@/lib/server/env";

/**
 * Where media bytes live. Two phases, kept apart on purpose:
 *
 * - **uploads** — tus working area (the tus `DataStore`): partial uploads, resumable, expiring.
 *   File store: `MEDIA_DIR/uploads/<uploadId>` + `<uploadId>.json`; S3: multipart uploads.
 * - **objects** — verified bytes a media record points at (`Media.storageKey`), never expiring.
 *   File store: `objects/<aa>/<sha256>` under MEDIA_DIR — content-addressed, so a file uploaded
 *   twice is stored once and the move is idempotent. S3: `s3:<uploadId>` (the object the S3 store
 *   completed; moving it would be a full copy).
 *
 * Invariant: a storage key is written to the database only after its object exists, so a record
 * never points at missing bytes (a crash in between leaves at most an unreferenced object).
 *
 * Why verified files leave the uploads directory: @tus/file-store's `deleteExpired` reads the
 * offset from the JSON written at creation (always 0), so it would delete *finished* uploads once
 * they expire. Only unfinished uploads stay in the working area, so expiring it is safe.
 */
export interface MediaStorage {
  readonly kind: "file" | "s3";
  readonly datastore: DataStore;
  /** SHA-256 (hex) and length of an upload's stored bytes, streamed. */
  digestUpload(uploadId: string): Promise<{ sha256: string; size: number }>;
  /** Makes the verified bytes of an upload permanent; returns the storage key. Idempotent. */
  promote(upload: Upload, sha256: string): Promise<string>;
  /** Frees the working copy of a promoted upload (once its request is answered). */
  releasePromoted(uploadId: string): Promise<void>;
  /** Whether a stored object exists. */
  hasObject(storageKey: string): Promise<boolean>;
  /** Deletes a stored object no record refers to (see record-media.ts for the locking). */
  deleteObject(storageKey: string): Promise<void>;
  /** Deletes an upload that will never become media (refused verification). */
  removeUpload(uploadId: string): Promise<void>;
  /** Reads a stored object, optionally a byte range (inclusive end). */
  openObject(storageKey: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Whether ranges are served by `openObject` (the S3 store reads whole objects only). */
  readonly supportsRanges: boolean;
  /** Deletes expired unfinished uploads; returns how many. */
  deleteExpiredUploads(): Promise<number>;
  /** Upload ids currently in the working area (tests, operations). */
  listUploads(): Promise<string[]>;
}

async function digestStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    hash.update(bytes);
  }
  return { sha256: hash.digest("hex"), size };
}

const errnoCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

class FileMediaStorage implements MediaStorage {
  readonly kind = "file" as const;
  readonly supportsRanges = true;
  readonly datastore: FileStore;
  private readonly uploadsDir: string;
  private readonly root: string;

  constructor(
    root: string,
    private readonly expiryMs: number,
  ) {
    this.root = path.resolve(root);
    this.uploadsDir = path.join(this.root, "uploads");
    this.datastore = new FileStore({ directory: this.uploadsDir, expirationPeriodInMilliseconds: expiryMs });
  }

  private uploadPath(uploadId: string): string {
    const file = path.join(this.uploadsDir, uploadId);
    if (!isPathInsideDirectory(this.uploadsDir, file)) throw new Error("Invalid upload id");
    return file;
  }

  private objectPath(storageKey: string): string {
    const file = path.join(this.root, storageKey);
    if (!storageKey.startsWith("objects/") || !isPathInsideDirectory(path.join(this.root, "objects"), file)) {
      throw new Error("Invalid storage key");
    }
    return file;
  }

  digestUpload(uploadId: string) {
    return digestStream(createReadStream(this.uploadPath(uploadId)));
  }

  async promote(upload: Upload, sha256: string): Promise<string> {
    const key = `objects/${sha256.slice(0, 2)}/${sha256}`;
    const target = this.objectPath(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    // A hard link, not a rename: the tus handler may still read the upload after the finish hook
    // (creation-with-upload answers with Upload-Expires from a fresh getUpload). The upload's name
    // is removed by releasePromoted once the request is answered.
    try {
      await fs.link(this.uploadPath(upload.id), target);
    } catch (error) {
      if (errnoCode(error) === "EEXIST") return key; // same bytes already stored (same sha256)
      if (errnoCode(error) !== "EPERM" && errnoCode(error) !== "EXDEV" && errnoCode(error) !== "ENOTSUP") throw error;
      // No hard links on this filesystem: copy to a temporary name, then rename (atomic). The name
      // is random, not pid-based: processes on other hosts sharing the volume may have the same pid.
      const tmp = `${target}.${randomUUID()}.tmp`;
      await fs.copyFile(this.uploadPath(upload.id), tmp);
      await fs.rename(tmp, target);
    }
    return key;
  }

  async removeUpload(uploadId: string): Promise<void> {
    await fs.rm(this.uploadPath(uploadId), { force: true });
    await fs.rm(`${this.uploadPath(uploadId)}.json`, { force: true });
  }

  releasePromoted(uploadId: string): Promise<void> {
    return this.removeUpload(uploadId);
  }

  async hasObject(storageKey: string): Promise<boolean> {
    return fs.access(this.objectPath(storageKey)).then(
      () => true,
      () => false,
    );
  }

  async deleteObject(storageKey: string): Promise<void> {
    await fs.rm(this.objectPath(storageKey), { force: true });
  }

  async openObject(storageKey: string, range?: { start: number; end: number }): Promise<Readable> {
    const file = this.objectPath(storageKey);
    const handle = await fs.open(file, "r"); // fails now (ENOENT) rather than mid-stream
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  /**
   * Own sweep instead of FileStore.deleteExpired (see the class comment): an upload expires
   * `expiryMs` after its creation; also removes halves left by a crash (a data file without its
   * JSON, or the reverse) once they are that old.
   */
  async deleteExpiredUploads(): Promise<number> {
    if (this.expiryMs <= 0) return 0;
    const now = Date.now();
    let names: string[];
    try {
      names = await fs.readdir(this.uploadsDir);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return 0;
      throw error;
    }
    const ids = new Set(names.map((n) => (n.endsWith(".json") ? n.slice(0, -5) : n)));
    let removed = 0;
    for (const id of ids) {
      const created = await this.creationTime(id);
      if (created === null || now - created <= this.expiryMs) continue;
      await this.removeUpload(id);
      removed++;
    }
    return removed;
  }

  /** Creation time of an upload (from its JSON, else the data file's mtime); null if gone. */
  private async creationTime(id: string): Promise<number | null> {
    const info = (await this.datastore.configstore.get(id)) as { creation_date?: string } | undefined;
    const fromInfo = info?.creation_date ? Date.parse(info.creation_date) : Number.NaN;
    if (!Number.isNaN(fromInfo)) return fromInfo;
    try {
      return (await fs.stat(this.uploadPath(id))).mtimeMs;
    } catch {
      return null;
    }
  }

  async listUploads(): Promise<string[]> {
    try {
      return (await fs.readdir(this.uploadsDir)).filter((n) => !n.endsWith(".json"));
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return [];
      throw error;
    }
  }
}

/** S3 (or compatible) store, for deployments that outgrow one disk. Loaded only when selected. */
async function createS3Storage(env: Env, expiryMs: number): Promise<MediaStorage> {
  if (!env.S3_BUCKET) throw new Error("MEDIA_STORE=s3 needs S3_BUCKET");
  const { S3Store } = await import("@tus/s3-store");
  const store = new S3Store({
    partSize: 8 * 1024 * 1024,
    expirationPeriodInMilliseconds: expiryMs,
    s3ClientConfig: {
      bucket: env.S3_BUCKET,
      region: env.S3_REGION ?? "us-east-1",
      ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT, forcePathStyle: true } : {}),
      ...(env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } }
        : {}),
    },
  });
  const objectId = (storageKey: string) => {
    if (!storageKey.startsWith("s3:")) throw new Error("Invalid storage key");
    return storageKey.slice(3);
  };
  return {
    kind: "s3",
    supportsRanges: false,
    datastore: store,
    digestUpload: async (uploadId) => digestStream((await store.read(uploadId)) as Readable),
    promote: async (upload) => `s3:${upload.id}`,
    // The completed object is the media object itself: nothing to free.
    releasePromoted: async () => undefined,
    hasObject: async (storageKey) =>
      store.getUpload(objectId(storageKey)).then(
        () => true,
        () => false,
      ),
    deleteObject: (storageKey) => store.remove(objectId(storageKey)),
    removeUpload: (uploadId) => store.remove(uploadId),
    openObject: async (storageKey) => (await store.read(objectId(storageKey))) as Readable,
    deleteExpiredUploads: () => store.deleteExpired(),
    listUploads: async () => [],
  };
}

export async function createMediaStorage(env: Env = getEnv()): Promise<MediaStorage> {
  const expiryMs = env.MEDIA_UPLOAD_EXPIRY_HOURS * 3_600_000;
  if (env.MEDIA_STORE === "s3") return createS3Storage(env, expiryMs);
  return new FileMediaStorage(env.MEDIA_DIR, expiryMs);
}
