/** `npm run db:seed`: applies migrations and seeds the demo data (idempotent). */
import { closeDb } from "@/lib/server/db/client";
import { getEnv } from "@/lib/server/env";
import { seedDemo } from "@/lib/server/seed";
import { openMigratedDb } from "./lib";

const { prisma } = await openMigratedDb();
const { created } = await seedDemo(prisma, getEnv().DEMO_PASSWORD);
console.log(created ? `seeded ${created} rows` : "demo data already present");
await closeDb();
process.exit(0);
