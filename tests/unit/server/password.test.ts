import { describe, expect, it } from "vitest";
import { dummyHash, hashPassword, verifyPassword } from "@/lib/server/auth/password";

describe("scrypt password hashing", () => {
  it("stores scheme, parameters, salt and hash, and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same"), hashPassword("same")]);
    expect(a).not.toBe(b);
  });

  it.each([
    ["another scheme", "bcrypt$10$abc$def"],
    ["missing salt and hash", "scrypt$32768$8$1"],
    ["empty", ""],
  ])("refuses a stored value with %s", async (_, stored) => {
    expect(await verifyPassword("anything", stored)).toBe(false);
  });

  it("refuses a tampered hash", async () => {
    const stored = await hashPassword("pw-123456");
    const parts = stored.split("$");
    parts[5] = `${parts[5][0] === "A" ? "B" : "A"}${parts[5].slice(1)}`;
    expect(await verifyPassword("pw-123456", parts.join("$"))).toBe(false);
  });

  it("keeps a dummy hash (for unknown users) that no password matches", async () => {
    const dummy = await dummyHash();
    expect(await dummyHash()).toBe(dummy);
    expect(await verifyPassword("fieldsync-demo", dummy)).toBe(false);
  });
});
