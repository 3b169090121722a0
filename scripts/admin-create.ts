/**
 * `npm run admin:create -- --email ops@example.org --password '…' [--name 'Ops Lead']`
 * Creates the first ADMIN of a real deployment (applies migrations first).
 */
import { createUserRequestSchema } from "@/lib/protocol";
import { createUserAccount } from "@/lib/server/admin";
import { closeDb } from "@/lib/server/db/client";
import { isAppError } from "@/lib/server/errors";
import { argValue, openMigratedDb } from "./lib";

const parsed = createUserRequestSchema.safeParse({
  email: argValue("email"),
  password: argValue("password"),
  name: argValue("name") ?? "Administrator",
  role: "ADMIN",
});
if (!parsed.success) {
  console.error("Usage: npm run admin:create -- --email <email> --password <at least 8 characters> [--name <name>]");
  for (const issue of parsed.error.issues) console.error(`  ${issue.path.join(".")}: ${issue.message}`);
  process.exit(2);
}
const { prisma } = await openMigratedDb();
let code = 0;
try {
  const user = await createUserAccount(prisma, parsed.data);
  console.log(`created admin ${user.email} (${user.id})`);
} catch (error) {
  console.error(isAppError(error) ? error.message : error);
  code = 1;
}
await closeDb();
process.exit(code);
