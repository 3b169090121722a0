import { defineConfig } from "prisma/config";

// Prisma 7 reads the datasource URL from here (used only by the stock CLI on machines that have
// the native engine; this project migrates through scripts/migrate.ts and the WASM engine).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/fieldsync" },
});
