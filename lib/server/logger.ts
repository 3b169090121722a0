import pino from "pino";
import { getEnv } from "./env";

// Structured JSON logs. Redaction is a safety net: code never logs passwords or tokens on purpose.
let instance: pino.Logger | undefined;

export function getLogger(): pino.Logger {
  instance ??= pino({
    level: process.env.VITEST && !process.env.LOG_LEVEL ? "silent" : getEnv().LOG_LEVEL,
    base: { app: "fieldsync" },
    redact: {
      paths: [
        "password",
        "*.password",
        "token",
        "*.token",
        "authorization",
        "*.authorization",
        "cookie",
        "*.cookie",
        "passwordHash",
        "*.passwordHash",
      ],
      censor: "[redacted]",
    },
  });
  return instance;
}
