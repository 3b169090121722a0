import path from "node:path";
import { z } from "zod";

/**
 * Every setting the server reads, in one place. README's "Configuration" table mirrors this.
 * Parsed once, lazily, so `next build` does not need a runtime environment.
 */
const envSchema = z.object({
  NODE_ENV: z.string().default("development"),
  DATABASE_URL: z.string().optional(),
  PGLITE_DIR: z.string().default(path.join(process.cwd(), ".data", "pglite")),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_ORIGIN: z.string().url().optional(),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24 * 30),
  DEMO_PASSWORD: z.string().min(8).default("fieldsync-demo"),
  FIELDSYNC_DEMO: z.enum(["0", "1"]).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** "1" behind a reverse proxy that overwrites X-Forwarded-For: only then is the address trusted. */
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  MEDIA_STORE: z.enum(["file", "s3"]).default("file"),
  MEDIA_DIR: z.string().default(path.join(process.cwd(), ".data", "media")),
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  MEDIA_UPLOAD_EXPIRY_HOURS: z.coerce.number().int().min(1).default(24),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().optional(),
  S3_ENDPOINT: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= envSchema.parse(process.env);
  return cached;
}

/** Tests change process.env between suites; they call this to re-read it. */
export function resetEnvForTests(): void {
  cached = undefined;
}
